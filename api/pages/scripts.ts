import { FIELD_TEXT_RULES } from '../../workflows/decisions/forms.js';
import { SHEET_TYPES } from '../summit-import/sheet.js';

/**
 * The pages' own scripts, served as files rather than inline, so that the Content-Security-Policy
 * needs no exception for them and no inline event handler is ever needed.
 */
export const FIELD_FORM_SCRIPT_PATH = '/assets/luodi/field-form.js';
export const DASHBOARD_SCRIPT_PATH = '/assets/luodi/dashboard.js';
export const PRINT_SCRIPT_PATH = '/assets/luodi/print.js';
export const IMPORT_SCRIPT_PATH = '/assets/luodi/import.js';
/** ECharts, served from its package. */
export const ECHARTS_PATH = '/assets/echarts.min.js';

/**
 * The field rules of workflows/decisions/forms.ts, checked in the browser before sending; the
 * server checks again. Every form with `data-check` (its messages, as JSON) is checked.
 */
const FIELD_FORM_SCRIPT = `(function(){
var RULES={${Object.entries(FIELD_TEXT_RULES).map(([type, rule]) => `${type}:${rule.toString()}`).join(',')}};
document.querySelectorAll('form[data-check]').forEach(function(form){
var M=JSON.parse(form.getAttribute('data-check'));
form.addEventListener('submit',function(e){
  var bad=false;
  form.querySelectorAll('[data-type]').forEach(function(el){
    var v=el.value.trim(),t=el.getAttribute('data-type'),msg='';
    if(!v){if(el.hasAttribute('data-required'))msg=M.required;}
    else if(RULES[t]&&!RULES[t].test(t==='money'?v.replace(/,/g,''):v))msg=M[t];
    var box=el.closest('.field');box.classList.toggle('invalid',!!msg);
    document.getElementById('err-'+el.name).textContent=msg;
    if(msg&&!bad){bad=true;el.focus();}
  });
  if(bad)e.preventDefault();
});
});
})();`;

/** Draws the dashboard's charts from its JSON data block (#dashboard-data). */
const DASHBOARD_SCRIPT = `(function(){
var data=JSON.parse(document.getElementById('dashboard-data').textContent),d=data.d,L=data.L;
function chart(id,option){var el=document.getElementById(id);if(!el)return;var c=echarts.init(el);c.setOption(option);window.addEventListener('resize',function(){c.resize();});}
var narrow=window.innerWidth<600;
var axis={type:'category',data:d.cities,axisLabel:{interval:0,rotate:narrow?60:45,fontSize:narrow?10:12}};
chart('chart-stages',{tooltip:{},grid:{containLabel:true,left:8,right:32,top:8,bottom:8},xAxis:{type:'value',minInterval:1},yAxis:{type:'category',inverse:true,data:d.stages.names},series:[{name:L.projects,type:'bar',data:d.stages.counts,label:{show:true,position:'right'}}]});
chart('chart-funds',{tooltip:{trigger:'axis'},legend:{},grid:{bottom:80},xAxis:axis,yAxis:{type:'value'},series:[{name:L.funds,type:'bar',data:d.funds},{name:L.target,type:'bar',data:d.targets}]});
chart('chart-schedule',{tooltip:{trigger:'axis'},grid:{bottom:80},xAxis:axis,yAxis:{type:'value'},series:[{name:L.schedule,type:'bar',data:d.schedule.map(function(v){return v===null?null:{value:v,itemStyle:{color:v<0?'#b3261e':'#2f9e44'}};})}]});
chart('chart-stuck',{tooltip:{trigger:'axis'},grid:{bottom:80},xAxis:axis,yAxis:{type:'value',minInterval:1},series:[{name:L.stuck,type:'bar',data:d.stuck}]});
document.body.setAttribute('data-charts','ready');
})();`;

/** The 督办单's print button. */
const PRINT_SCRIPT = `document.querySelectorAll('[data-print]').forEach(function(b){b.addEventListener('click',function(){window.print();});});`;

/**
 * The summit import page: sends the chosen file as the request body (its type from its name, the
 * CSRF token in a header), and reads the answer's lines as they come: progress while projects
 * start, then the server-rendered summary or rows to fix.
 */
const IMPORT_SCRIPT = `(function(){
var form=document.getElementById('import-form');if(!form)return;
var bar=document.getElementById('import-progress'),status=document.getElementById('import-status'),out=document.getElementById('import-result'),button=form.querySelector('button');
form.addEventListener('submit',function(e){
  e.preventDefault();
  var file=form.querySelector('input[type=file]').files[0];
  if(!file){status.textContent=form.getAttribute('data-no-file');return;}
  var type=/\\.xlsx$/i.test(file.name)?'${SHEET_TYPES.xlsx}':'${SHEET_TYPES.csv}';
  button.disabled=true;out.innerHTML='';bar.hidden=false;bar.removeAttribute('value');document.body.removeAttribute('data-import');
  function handle(line){
    if(!line)return;var m=JSON.parse(line);
    if(m.status){status.textContent=m.status;}
    if(m.progress){bar.max=m.progress.total;bar.value=m.progress.done;}
    if(m.html!==undefined){out.innerHTML=m.html;bar.hidden=true;status.textContent='';document.body.setAttribute('data-import',m.outcome);}
  }
  fetch(form.action,{method:'POST',credentials:'same-origin',headers:{'Content-Type':type,'X-CSRF-Token':form.querySelector('[name=_csrf]').value},body:file}).then(function(res){
    var reader=res.body.getReader(),dec=new TextDecoder(),buf='';
    function pump(){return reader.read().then(function(r){
      if(r.done){handle(buf);button.disabled=false;return;}
      buf+=dec.decode(r.value,{stream:true});var lines=buf.split('\\n');buf=lines.pop();lines.forEach(handle);return pump();
    });}
    return pump();
  }).catch(function(err){status.textContent=String(err);button.disabled=false;bar.hidden=true;});
});
})();`;

export const PAGE_SCRIPTS: readonly (readonly [path: string, source: string])[] = [
  [FIELD_FORM_SCRIPT_PATH, FIELD_FORM_SCRIPT],
  [DASHBOARD_SCRIPT_PATH, DASHBOARD_SCRIPT],
  [PRINT_SCRIPT_PATH, PRINT_SCRIPT],
  [IMPORT_SCRIPT_PATH, IMPORT_SCRIPT],
];
