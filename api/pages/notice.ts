import type { ProjectState, TaskState } from '../../workflows/state.js';
import { AUDIENCE_LABELS, nextRungAudiences, rungAudiences } from '../../workflows/reference.js';
import { h, type Html } from './html.js';
import { departmentName, formatTime } from './i18n.js';

/** Whole days from the due date to now (Beijing midnight boundaries are close enough for a notice). */
function daysOverdue(task: TaskState, nowMs: number): number {
  return task.dueAt ? Math.max(0, Math.floor((nowMs - Date.parse(task.dueAt)) / 86_400_000)) : 0;
}

/** 督办单: a printable supervision notice for a task at rung 2 or above. */
export function renderNotice(state: ProjectState, task: TaskState, rung: number, nowMs: number): Html {
  const reached = rungAudiences(rung);
  const next = nextRungAudiences(rung);
  const byWhen = task.rungAt[rung] ?? null;
  return h`<article class="notice card">
    <h1 style="text-align:center">督 办 单</h1>
    <p class="muted" style="text-align:center">编号：${state.code}-${task.key}-${rung}</p>
    <table>
      <tr><th>项目</th><td>${state.codename ?? state.name}（${state.code}）</td></tr>
      <tr><th>城市</th><td>${state.city}</td></tr>
      <tr><th>任务</th><td>${task.title.zh}</td></tr>
      <tr><th>责任部门</th><td>${departmentName('zh', task.department)}</td></tr>
      <tr><th>办理期限</th><td>${formatTime('zh', task.dueAt)}</td></tr>
      <tr><th>逾期</th><td data-field="overdue">${daysOverdue(task, nowMs)} 天</td></tr>
      <tr><th>督办级别</th><td data-field="rung">第 ${rung} 级（送达：${reached.map((a) => AUDIENCE_LABELS[a].zh).join('、')}）</td></tr>
      <tr><th>督办要求</th><td data-field="ask">请${departmentName('zh', task.department)}于${byWhen ? formatTime('zh', byWhen) : '收到本单后立即'}前办结该事项，并在系统中提交办理结果；确有困难的，请当即报告瓶颈问题。${
        next ? `逾期未办结的，将提请${next.map((a) => AUDIENCE_LABELS[a].zh).join('、')}督办。` : ''
      }</td></tr>
      <tr><th>项目对接人</th><td>${state.liaison ?? '—'}</td></tr>
    </table>
    <p class="muted">luodi 落地 · ${formatTime('zh', new Date(nowMs).toISOString())}</p>
    <button type="button" class="primary noprint" data-print>打印</button>
  </article>
  <script src="${PRINT_SCRIPT_PATH}"></script>`;
}

/** Served as a file: the Content-Security-Policy refuses inline event handlers. */
export const PRINT_SCRIPT_PATH = '/assets/luodi/print.js';
export const PRINT_SCRIPT = `document.querySelectorAll('[data-print]').forEach(function(b){b.addEventListener('click',function(){window.print();});});`;
