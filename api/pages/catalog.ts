import { BEIJING_TIME_ZONE } from '../../workflows/beijing-time.js';
import type { Label } from '../../workflows/reference.js';

/**
 * Every text of the pages, in both languages, looked up by one function (`translator`). The
 * domain's own vocabularies (stages, departments, stuck reasons, audiences) are not copied here:
 * their labels live in workflows/reference.ts and are looked up by the same function, as are the
 * titles and field labels that come with a task's template. `{name}` marks a value filled in.
 */
export type Lang = 'zh' | 'en';

/** Chinese in both languages: the printable 督办单 and the dispatch meeting's official headings. */
interface ChineseOnly {
  zh: string;
}

export const CATALOG = {
  // The site
  appName: { zh: '落地 · 招商项目跟踪', en: 'luodi · investment project tracking' },
  otherLanguage: { zh: 'English', en: '中文' },
  signIn: { zh: '登录', en: 'Sign in' },
  signOut: { zh: '退出', en: 'Sign out' },
  inbox: { zh: '待办任务', en: 'Inbox' },
  stuck: { zh: '卡住的项目', en: 'Stuck projects' },
  dashboardLink: { zh: '看板', en: 'Dashboard' },
  notifications: { zh: '通知', en: 'Notifications' },
  changePassword: { zh: '修改密码', en: 'Change password' },
  forbidden: { zh: '无权访问', en: 'Not allowed' },
  notFound: { zh: '未找到', en: 'Not found' },
  error: { zh: '出错了', en: 'Something went wrong' },
  csrfFailed: {
    zh: '表单已过期，或并非来自本站（CSRF 校验未通过）。请返回、刷新后重试。',
    en: 'The form has expired or did not come from this site (CSRF check failed). Go back, reload and try again.',
  },

  // Signing in and the password
  userId: { zh: '用户名', en: 'User name' },
  password: { zh: '密码', en: 'Password' },
  badCredentials: { zh: '用户名或密码不正确', en: 'Wrong user name or password' },
  waitSeconds: { zh: '登录失败次数过多，已暂时锁定。请稍后再试： {n} 秒后', en: 'Too many failed sign-ins; signing in is locked for now. Try again in {n} seconds' },
  waitMinutes: { zh: '登录失败次数过多，已暂时锁定。请稍后再试： {n} 分钟后', en: 'Too many failed sign-ins; signing in is locked for now. Try again in {n} minutes' },
  currentPassword: { zh: '当前密码', en: 'Current password' },
  newPassword: { zh: '新密码（至少 10 个字符）', en: 'New password (at least 10 characters)' },
  confirmPassword: { zh: '再次输入新密码', en: 'New password again' },
  wrongCurrentPassword: { zh: '当前密码不正确', en: 'The current password is wrong' },
  passwordsDiffer: { zh: '两次输入的新密码不一致', en: 'The new passwords differ' },
  passwordLength: { zh: '新密码至少 10 个字符，至多 200 个字符', en: 'The new password must have 10 to 200 characters' },
  passwordChanged: { zh: '密码已修改；其他设备上的登录已全部退出', en: 'Password changed; you are signed out everywhere else' },

  // Tasks and projects
  noTasks: { zh: '没有待办任务', en: 'No open tasks' },
  noStuck: { zh: '没有卡住的项目', en: 'No stuck projects' },
  due: { zh: '期限', en: 'Due' },
  overdue: { zh: '已逾期', en: 'Overdue' },
  rung: { zh: '督办级别', en: 'Escalation rung' },
  open: { zh: '办理', en: 'Open' },
  submit: { zh: '提交办结', en: 'Complete task' },
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
  'taskStatus.pending': { zh: '未开始', en: 'Pending' },
  'taskStatus.open': { zh: '办理中', en: 'Open' },
  'taskStatus.done': { zh: '已办结', en: 'Done' },
  'taskStatus.cancelled': { zh: '已取消', en: 'Cancelled' },

  // Forms
  required: { zh: '必填', en: 'required' },
  fixErrors: { zh: '请更正标出的内容', en: 'Please correct the marked fields' },
  currency: { zh: '币种', en: 'Currency' },
  choose: { zh: '请选择', en: 'Choose' },
  mustBeNumber: { zh: '请输入数字', en: 'Must be a number' },
  mustBeMoney: { zh: '请输入金额，最多两位小数', en: 'Must be an amount with at most two decimals' },
  mustBeDate: { zh: '请输入日期', en: 'Must be a date' },
  mustBeDocument: { zh: '请输入凭证或文件编号（不含空格）', en: 'Must be a voucher or file number (no spaces)' },

  // The funds ledger
  funds: { zh: '实际到位资金', en: 'Funds in place' },
  recordFunds: { zh: '录入到位资金', en: 'Record funds received' },
  saveForVerification: { zh: '保存，待核实', en: 'Save for verification' },
  verify: { zh: '核实', en: 'Verify' },
  reverse: { zh: '冲正', en: 'Reverse' },
  reverseTitle: { zh: '冲正到位资金', en: 'Reverse funds entry' },
  void: { zh: '作废', en: 'Void' },
  voidTitle: { zh: '作废未核实的录入', en: 'Void an unverified entry' },
  voidedBy: { zh: '已作废', en: 'voided' },
  verifiedBy: { zh: '已核实', en: 'verified' },
  reversedBy: { zh: '已被冲正', en: 'reversed by' },
  awaitingVerification: { zh: '待核实', en: 'awaiting verification' },
  fundsQueue: { zh: '待核实资金', en: 'Funds to verify' },
  nothingToVerify: { zh: '没有待核实的资金', en: 'Nothing to verify' },
  'entryKind.tranche': { zh: '到位', en: 'received' },
  'entryKind.reversal': { zh: '冲正', en: 'reversal' },
  contracted: { zh: '合同投资额', en: 'contracted' },
  verifiedTotal: { zh: '已核实到位', en: 'Verified in place' },
  receivedOn: { zh: '到账日期', en: 'Date received' },
  amount: { zh: '金额', en: 'Amount' },
  evidence: { zh: '凭证', en: 'Evidence' },
  enteredBy: { zh: '录入人', en: 'Entered by' },
  amountReceived: { zh: '到位金额', en: 'Amount received' },
  evidenceField: { zh: '凭证（银行回单号等）', en: 'Evidence (bank slip number, …)' },
  reversalReason: { zh: '冲正原因', en: 'Reason for the reversal' },
  voidReason: { zh: '作废原因', en: 'Why it is void' },
  increaseCapital: { zh: '登记增资', en: 'Record a capital increase' },
  increaseAmount: { zh: '增资额（仅增加部分）', en: 'Increase (the increment only)' },
  increaseAgreedOn: { zh: '增资协议日期', en: 'Date agreed' },
  capitalIncreases: { zh: '增资', en: 'Capital increases' },
  'fundsFlash.recorded': { zh: '到位资金已录入，待核实', en: 'Funds recorded, awaiting verification' },
  'fundsFlash.verified': { zh: '到位资金已核实', en: 'Funds verified' },
  'fundsFlash.reversed': { zh: '冲正已录入，待核实', en: 'Reversal recorded, awaiting verification' },
  'fundsFlash.voided': { zh: '录入已作废', en: 'Entry voided' },
  'fundsFlash.increased': { zh: '增资已登记', en: 'Capital increase recorded' },

  // Notifications
  unread: { zh: '未读', en: 'unread' },
  openNotification: { zh: '打开', en: 'Open' },
  markRead: { zh: '标为已读', en: 'Mark read' },
  noNotifications: { zh: '没有通知', en: 'No notifications' },

  // The supervisors' dashboard
  dashboard: { zh: '调度看板', en: 'Dashboard' },
  periodField: { zh: '统计期间（季度如 2017Q1，或截至日期如 2017-04-30）', en: 'Period (a quarter such as 2017Q1, or a date for the year to date)' },
  badPeriod: { zh: '统计期间应为季度（如 2017Q1）或日期（如 2017-04-30）', en: 'The period must be a quarter (2017Q1) or a date (2017-04-30)' },
  province: { zh: '全省', en: 'Province' },
  show: { zh: '查询', en: 'Show' },
  exportExcel: { zh: '导出 Excel', en: 'Export to Excel' },
  stagesChart: { zh: '项目阶段漏斗', en: 'Projects by stage' },
  fundsChart: { zh: '实际到位资金与年度目标（亿元）', en: 'Funds in place against the annual target (亿元)' },
  scheduleChart: { zh: '超欠进度（百分点）', en: 'Ahead or behind schedule (points)' },
  'series.funds': { zh: '实际到位资金', en: 'Funds in place' },
  'series.target': { zh: '年度目标', en: 'Annual target' },
  'series.schedule': { zh: '超欠进度', en: 'Ahead/behind' },
  'series.stuck': { zh: '卡住项目', en: 'Stuck' },

  // The dispatch meeting's tables, on the page and in the Excel export
  'sheet.period': { zh: '统计期间 {from} 至 {to}' },
  'sheet.fileName': { zh: '落地调度-{area}-{period}.xlsx' },
  'sheet.stages': { zh: '阶段漏斗' },
  'sheet.funds': { zh: '到位资金与目标' },
  'sheet.stuck': { zh: '卡住项目' },
  'column.stage': { zh: '阶段' },
  'column.projects': { zh: '项目数' },
  'column.city': { zh: '城市' },
  'column.fundsYtd': { zh: '年初至今实际到位资金（亿元）' },
  'column.target': { zh: '年度目标（亿元）' },
  'column.completion': { zh: '完成率（%）' },
  'column.schedule': { zh: '超欠进度（百分点）' },
  'column.stuck': { zh: '卡住项目数' },

  // 督办单, the printable supervision notice
  'notice.pageTitle': { zh: '督办单 {code}' },
  'notice.title': { zh: '督 办 单' },
  'notice.number': { zh: '编号：{number}' },
  'notice.project': { zh: '项目' },
  'notice.city': { zh: '城市' },
  'notice.task': { zh: '任务' },
  'notice.department': { zh: '责任部门' },
  'notice.due': { zh: '办理期限' },
  'notice.overdue': { zh: '逾期' },
  'notice.days': { zh: '{n} 天' },
  'notice.rung': { zh: '督办级别' },
  'notice.rungValue': { zh: '第 {rung} 级（送达：{audiences}）' },
  'notice.ask': { zh: '督办要求' },
  'notice.askText': { zh: '请{department}于{when}前办结该事项，并在系统中提交办理结果；确有困难的，请当即报告瓶颈问题。' },
  'notice.immediately': { zh: '收到本单后立即' },
  'notice.next': { zh: '逾期未办结的，将提请{audiences}督办。' },
  'notice.liaison': { zh: '项目对接人' },
  'notice.footer': { zh: 'luodi 落地 · {time}' },
  'notice.print': { zh: '打印' },
  'notice.listSeparator': { zh: '、' },
} as const satisfies Record<string, Label | ChineseOnly>;

export type TextKey = keyof typeof CATALOG;

/** A catalog entry, or a label that comes with the data (reference.ts, a task's template). */
export type Text = TextKey | Label;

export type TextValues = Record<string, string | number>;

/** Looks a text up in the request's language; also formats times as people read them in Beijing. */
export interface Translate {
  (text: Text, values?: TextValues): string;
  readonly lang: Lang;
  /** An instant as people read it in Beijing; '—' if there is none. */
  time(iso: string | Date | null | undefined): string;
}

const LOCALE: Readonly<Record<Lang, string>> = { zh: 'zh-CN', en: 'en-GB' };

/** The `lang` of the <html> element, and the other language, which the header offers. */
export const HTML_LANG: Readonly<Record<Lang, string>> = { zh: 'zh-CN', en: 'en' };
export const OTHER_LANG: Readonly<Record<Lang, Lang>> = { zh: 'en', en: 'zh' };

/** The language of the workflow's and the API's own reasons for refusing a value. */
export const VALIDATOR_LANG: Lang = 'en';

export function translator(lang: Lang): Translate {
  const lookup = (text: Text, values?: TextValues): string => {
    const entry: Label | ChineseOnly = typeof text === 'string' ? CATALOG[text] : text;
    const found = 'en' in entry ? entry[lang] : entry.zh;
    return values ? found.replace(/\{(\w+)\}/g, (whole, name: string) => (name in values ? String(values[name]) : whole)) : found;
  };
  const time = (iso: string | Date | null | undefined) =>
    iso ? new Date(iso).toLocaleString(LOCALE[lang], { timeZone: BEIJING_TIME_ZONE, dateStyle: 'medium', timeStyle: 'short' }) : '—';
  return Object.assign(lookup, { lang, time });
}
