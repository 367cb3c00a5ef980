/** The site's one style sheet, inline with the response's nonce (static text: no value is interpolated). */
export const STYLE = `
*{box-sizing:border-box}body{margin:0;font-family:system-ui,-apple-system,"PingFang SC","Noto Sans CJK SC","Microsoft YaHei",sans-serif;color:#1f2933;background:#f5f7fa;line-height:1.5}
header{background:#b3261e;color:#fff;padding:.6rem 1rem;display:flex;flex-wrap:wrap;gap:.75rem;align-items:center}
header a,header button{color:#fff;text-decoration:none;background:none;border:0;font:inherit;cursor:pointer;padding:0}
header .brand{font-weight:700;margin-right:auto}main{max-width:960px;margin:0 auto;padding:1rem}
h1{font-size:1.35rem;margin:.5rem 0 1rem}h2{font-size:1.1rem;margin:1.5rem 0 .5rem}
.card{background:#fff;border-radius:8px;padding:1rem;margin:0 0 .75rem;box-shadow:0 1px 2px rgba(0,0,0,.08)}
.overdue{border-left:4px solid #b3261e}.badge{display:inline-block;padding:0 .5rem;border-radius:999px;font-size:.85rem;background:#e4e7eb}
.badge.red{background:#fde8e7;color:#b3261e}.muted{color:#616e7c;font-size:.9rem}
label{display:block;font-weight:600;margin:.75rem 0 .25rem}input,select,textarea{width:100%;padding:.55rem;font:inherit;border:1px solid #cbd2d9;border-radius:6px}
.field.invalid input,.field.invalid select,.field.invalid textarea{border-color:#b3261e}.error{color:#b3261e;margin:.25rem 0 0;font-size:.9rem;min-height:0}
button.link{background:none;border:0;color:#1864ab;text-decoration:underline;cursor:pointer;font:inherit;padding:0;margin-left:.75rem}
button.primary{margin-top:1rem;background:#b3261e;color:#fff;border:0;border-radius:6px;padding:.7rem 1.2rem;font:inherit;width:100%}
.money{display:flex;gap:.5rem}.money input{flex:3}.money select{flex:1}
table{width:100%;border-collapse:collapse;background:#fff}td,th{padding:.5rem;border-bottom:1px solid #e4e7eb;text-align:left;vertical-align:top}
.flash{background:#e3f9e5;border-radius:8px;padding:.75rem 1rem;margin-bottom:1rem}.alert{background:#fde8e7;border-radius:8px;padding:.75rem 1rem;margin-bottom:1rem}
@media (min-width:700px){button.primary{width:auto}}
@media print{header,.noprint{display:none}body{background:#fff}.card{box-shadow:none}}
@media (max-width:600px){table,tbody,tr,td{display:block}thead{display:none}tr{border-bottom:1px solid #e4e7eb;padding:.5rem 0}td{border:0;padding:.15rem .75rem}td[data-label]::before{content:attr(data-label);display:block;font-size:.8rem;color:#616e7c}}
form.inline{display:inline}a.button{display:inline-block;background:#b3261e;color:#fff;border-radius:6px;padding:.5rem 1rem;text-decoration:none}
a.card.area{display:block;color:inherit;text-decoration:none}.secret{font-family:monospace;word-break:break-all;background:#f5f7fa;padding:.5rem;border-radius:6px}
pre.json{white-space:pre-wrap;word-break:break-word;font-size:.85rem}.error{white-space:pre-line}
nav.actions{display:flex;flex-wrap:wrap;gap:.5rem}form.search{display:flex;flex-wrap:wrap;gap:.5rem;align-items:end}form.search label{width:100%;margin:0}form.search input,form.search select{flex:1 1 8rem;width:auto}
`;
