import { STAGE_LABELS, STUCK_REASON_LABELS, type Stage } from '../../workflows/reference.js';
import { DEPARTMENT_LABELS, type Department, type Label } from '../../workflows/reference.js';
import { BEIJING_TIME_ZONE } from '../../workflows/beijing-time.js';

export type Lang = 'zh' | 'en';

const TEXT = {
  appName: { zh: '落地 · 招商项目跟踪', en: 'luodi · investment project tracking' },
  signIn: { zh: '登录', en: 'Sign in' },
  signOut: { zh: '退出', en: 'Sign out' },
  userId: { zh: '用户名', en: 'User name' },
  password: { zh: '密码', en: 'Password' },
  badCredentials: { zh: '用户名或密码不正确', en: 'Wrong user name or password' },
  inbox: { zh: '待办任务', en: 'Inbox' },
  stuck: { zh: '卡住的项目', en: 'Stuck projects' },
  noTasks: { zh: '没有待办任务', en: 'No open tasks' },
  noStuck: { zh: '没有卡住的项目', en: 'No stuck projects' },
  due: { zh: '期限', en: 'Due' },
  overdue: { zh: '已逾期', en: 'Overdue' },
  rung: { zh: '督办级别', en: 'Escalation rung' },
  open: { zh: '办理', en: 'Open' },
  submit: { zh: '提交办结', en: 'Complete task' },
  required: { zh: '必填', en: 'required' },
  fixErrors: { zh: '请更正标出的内容', en: 'Please correct the marked fields' },
  taskDone: { zh: '任务已办结', en: 'Task completed' },
  project: { zh: '项目', en: 'Project' },
  stage: { zh: '阶段', en: 'Stage' },
  city: { zh: '城市', en: 'City' },
  liaison: { zh: '对接人', en: 'Liaison' },
  timeline: { zh: '进程', en: 'Timeline' },
  tasks: { zh: '任务', en: 'Tasks' },
  department: { zh: '部门', en: 'Department' },
  status: { zh: '状态', en: 'Status' },
  blockers: { zh: '瓶颈问题', en: 'Blockers' },
  escalations: { zh: '督办记录', en: 'Escalations' },
  reasons: { zh: '原因', en: 'Reasons' },
  since: { zh: '起始', en: 'Since' },
  temporalUi: { zh: '在 Temporal 中查看', en: 'Open in Temporal' },
  by: { zh: '办理人', en: 'By' },
  resolved: { zh: '已解决', en: 'Resolved' },
  forbidden: { zh: '无权访问', en: 'Not allowed' },
  notFound: { zh: '未找到', en: 'Not found' },
  error: { zh: '出错了', en: 'Something went wrong' },
  currency: { zh: '币种', en: 'Currency' },
  choose: { zh: '请选择', en: 'Choose' },
  mustBeNumber: { zh: '请输入数字', en: 'Must be a number' },
  mustBeMoney: { zh: '请输入金额，最多两位小数', en: 'Must be an amount with at most two decimals' },
  mustBeDate: { zh: '请输入日期', en: 'Must be a date' },
  mustBeDocument: { zh: '请输入凭证或文件编号（不含空格）', en: 'Must be a voucher or file number (no spaces)' },
} as const satisfies Record<string, Label>;

export type TextKey = keyof typeof TEXT;

export function t(lang: Lang, key: TextKey): string {
  return TEXT[key][lang];
}

export function label(lang: Lang, l: Label): string {
  return l[lang];
}

export function stageName(lang: Lang, stage: Stage): string {
  return STAGE_LABELS[stage][lang];
}

export function departmentName(lang: Lang, d: Department): string {
  return DEPARTMENT_LABELS[d][lang];
}

const STATUS = {
  pending: { zh: '未开始', en: 'Pending' },
  open: { zh: '办理中', en: 'Open' },
  done: { zh: '已办结', en: 'Done' },
  cancelled: { zh: '已取消', en: 'Cancelled' },
} as const;

export function statusName(lang: Lang, s: keyof typeof STATUS): string {
  return STATUS[s][lang];
}

export function stuckReasonName(lang: Lang, r: string): string {
  return (STUCK_REASON_LABELS as Record<string, Label>)[r]?.[lang] ?? r;
}

/** Dates as people read them in Beijing. */
export function formatTime(lang: Lang, iso: string | null | undefined): string {
  if (!iso) return '—';
  return new Date(iso).toLocaleString(lang === 'zh' ? 'zh-CN' : 'en-GB', { timeZone: BEIJING_TIME_ZONE, dateStyle: 'medium', timeStyle: 'short' });
}
