import { FIELD_TEXT_RULES } from '../../workflows/decisions/forms.js';

/**
 * The pages' own scripts, served as files rather than inline, so that the Content-Security-Policy
 * needs no exception for them and no inline event handler is ever needed.
 */
export const FIELD_FORM_SCRIPT_PATH = '/assets/luodi/field-form.js';
export const DASHBOARD_SCRIPT_PATH = '/assets/luodi/dashboard.js';
export const PRINT_SCRIPT_PATH = '/assets/luodi/print.js';
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
function chart(id,option){var c=echarts.init(document.getElementById(id));c.setOption(option);window.addEventListener('resize',function(){c.resize();});}
var axis={type:'category',data:d.cities,axisLabel:{interval:0,rotate:45}};
chart('chart-funnel',{tooltip:{},series:[{type:'funnel',sort:'none',data:d.funnel,label:{formatter:'{b}: {c}'}}]});
chart('chart-funds',{tooltip:{trigger:'axis'},legend:{},grid:{bottom:80},xAxis:axis,yAxis:{type:'value'},series:[{name:L.funds,type:'bar',data:d.funds},{name:L.target,type:'bar',data:d.targets}]});
chart('chart-schedule',{tooltip:{trigger:'axis'},grid:{bottom:80},xAxis:axis,yAxis:{type:'value'},series:[{name:L.schedule,type:'bar',data:d.schedule.map(function(v){return v===null?null:{value:v,itemStyle:{color:v<0?'#b3261e':'#2f9e44'}};})}]});
chart('chart-stuck',{tooltip:{trigger:'axis'},grid:{bottom:80},xAxis:axis,yAxis:{type:'value',minInterval:1},series:[{name:L.stuck,type:'bar',data:d.stuck}]});
document.body.setAttribute('data-charts','ready');
})();`;

/** The 督办单's print button. */
const PRINT_SCRIPT = `document.querySelectorAll('[data-print]').forEach(function(b){b.addEventListener('click',function(){window.print();});});`;

export const PAGE_SCRIPTS: readonly (readonly [path: string, source: string])[] = [
  [FIELD_FORM_SCRIPT_PATH, FIELD_FORM_SCRIPT],
  [DASHBOARD_SCRIPT_PATH, DASHBOARD_SCRIPT],
  [PRINT_SCRIPT_PATH, PRINT_SCRIPT],
];
