import type { NotificationRequest } from '../workflows/state.js';
import { DEPARTMENT_LABELS, type Department } from '../workflows/reference.js';

const RUNG_NAMES = ['到期提醒', '督办单', '市级领导督办', '省级协调督办'];
const BLOCKER_NAMES: Record<string, string> = { land: '土地', approvals: '审批', financing: '融资', infrastructure: '基础设施', policy: '政策', other: '其他' };

/** Subject and body in Chinese, with a link to the project page, from the request's payload. */
export function renderNotification(r: NotificationRequest, publicUrl: string): { subject: string; body: string; link: string } {
  const p = r.payload as Record<string, unknown>;
  const project = String(p.project ?? r.projectCode);
  const projectLink = `${publicUrl}/projects/${encodeURIComponent(r.projectCode)}`;
  const link = r.kind === 'report' ? `${publicUrl}${String(p.link ?? '/dashboard')}` : projectLink;
  if (r.kind === 'escalation') {
    const rung = Number(p.rung);
    // From rung 2 the message carries the printable supervision notice (督办单).
    const notice = rung >= 2 ? `${publicUrl}/notices/${encodeURIComponent(r.projectCode)}/${String(p.taskKey)}/${rung}` : null;
    const title = (p.title as { zh?: string } | undefined)?.zh ?? String(p.taskKey);
    const department = DEPARTMENT_LABELS[p.department as Department]?.zh ?? String(p.department);
    const name = RUNG_NAMES[Math.min(rung, RUNG_NAMES.length) - 1] ?? '督办';
    return {
      subject: `【${name}】${project}：${title}${rung > 1 ? `已逾期（第${rung}级督办）` : '已到期'}`,
      body: [
        `项目：${project}（${r.projectCode}）`,
        `任务：${title}`,
        `责任部门：${department}`,
        `办理期限：${String(p.dueAt ?? '')}`,
        `督办级别：第${rung}级（${name}）`,
        `要求：请尽快办结并在系统中提交办理结果；如有困难，请报告瓶颈问题。`,
        ...(notice ? [`督办单：${notice}`] : []),
        `查看项目：${projectLink}`,
      ].join('\n'),
      link: notice ?? projectLink,
    };
  }
  if (r.kind === 'blocker') {
    return {
      subject: `【瓶颈问题】${project}：${BLOCKER_NAMES[String(p.category)] ?? String(p.category)}`,
      body: [`项目：${project}（${r.projectCode}）`, `问题：${String(p.description ?? '')}`, `报告人：${String(p.reportedBy ?? '')}`, `请协调解决：${link}`].join('\n'),
      link,
    };
  }
  return {
    subject: `【调度报告】${String(p.quarter ?? '')} ${String(p.version ?? '')}`,
    body: [`${String(p.quarter ?? '')} 招商引资调度报告已发布（${String(p.version ?? '')}）。`, `内容哈希：${String(p.hash ?? '')}`, `查看：${link}`].join('\n'),
    link,
  };
}
