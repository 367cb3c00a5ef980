import type { TaskTemplateInput } from './template-schema.js';

/**
 * The built-in template, saved as version 1 when a database has none for its project type.
 * Admins change templates by saving new versions (npm run template), never by editing this.
 */
export const DEFAULT_TEMPLATES: TaskTemplateInput[] = [
  {
    projectType: 'industrial',
    name: { zh: '工业项目', en: 'Industrial project' },
    escalationWorkingDays: [0, 3, 7, 15],
    idleWorkingDays: 30,
    tasks: [
      {
        key: 'registration',
        department: 'market_regulation',
        title: { zh: '企业注册登记', en: 'Company registered' },
        dependsOn: [],
        dueWorkingDays: 10,
        milestone: 'registered',
        fields: [
          { key: 'credit_code', label: { zh: '统一社会信用代码', en: 'Unified social credit code' }, type: 'text', required: true },
          { key: 'registered_on', label: { zh: '登记日期', en: 'Registered on' }, type: 'date', required: true },
          { key: 'registered_capital', label: { zh: '注册资本', en: 'Registered capital' }, type: 'money', required: false },
        ],
      },
      {
        key: 'land',
        department: 'natural_resources',
        title: { zh: '土地落实并缴纳土地款', en: 'Land secured and land payment made' },
        dependsOn: [],
        dueWorkingDays: 30,
        milestone: 'landPaid',
        fields: [
          { key: 'parcel', label: { zh: '地块编号', en: 'Parcel number' }, type: 'text', required: true },
          { key: 'area_mu', label: { zh: '面积（亩）', en: 'Area (mu)' }, type: 'number', required: false },
          { key: 'land_payment', label: { zh: '土地款', en: 'Land payment' }, type: 'money', required: true },
          { key: 'payment_voucher', label: { zh: '缴款凭证号', en: 'Payment voucher' }, type: 'document', required: true },
        ],
      },
      {
        key: 'project_filing',
        department: 'development_reform',
        title: { zh: '项目备案或核准', en: 'Project filed or approved' },
        dependsOn: ['land'],
        dueWorkingDays: 10,
        milestone: null,
        fields: [
          {
            key: 'procedure',
            label: { zh: '程序', en: 'Procedure' },
            type: 'choice',
            required: true,
            choices: [
              { value: 'filing', label: { zh: '备案', en: 'Filing' } },
              { value: 'approval', label: { zh: '核准', en: 'Approval' } },
            ],
          },
          { key: 'code', label: { zh: '备案/核准文号', en: 'Filing or approval number' }, type: 'text', required: true },
        ],
      },
      {
        key: 'eia',
        department: 'ecology_environment',
        title: { zh: '环境影响评价批复', en: 'Environmental impact assessment approved' },
        dependsOn: ['land'],
        dueWorkingDays: 20,
        milestone: null,
        fields: [
          {
            key: 'category',
            label: { zh: '环评类别', en: 'EIA category' },
            type: 'choice',
            required: true,
            choices: [
              { value: 'report', label: { zh: '报告书', en: 'Report' } },
              { value: 'form', label: { zh: '报告表', en: 'Form' } },
              { value: 'registration', label: { zh: '登记表', en: 'Registration' } },
            ],
          },
          { key: 'approval_number', label: { zh: '批复文号', en: 'Approval number' }, type: 'document', required: true },
        ],
      },
      {
        key: 'construction_permit',
        department: 'housing_construction',
        title: { zh: '建筑工程施工许可', en: 'Construction permit issued' },
        dependsOn: ['land'],
        dueWorkingDays: 15,
        milestone: null,
        fields: [
          { key: 'permit_number', label: { zh: '施工许可证号', en: 'Permit number' }, type: 'document', required: true },
          { key: 'issued_on', label: { zh: '发证日期', en: 'Issued on' }, type: 'date', required: true },
        ],
      },
      {
        key: 'construction_start',
        department: 'commerce',
        title: { zh: '项目开工', en: 'Construction started' },
        dependsOn: ['project_filing', 'eia', 'construction_permit'],
        dueWorkingDays: 20,
        milestone: 'constructionStarted',
        fields: [
          { key: 'started_on', label: { zh: '开工日期', en: 'Started on' }, type: 'date', required: true },
          { key: 'evidence', label: { zh: '开工证明材料', en: 'Evidence of start' }, type: 'document', required: false },
          { key: 'note', label: { zh: '备注', en: 'Note' }, type: 'text', required: false },
        ],
      },
    ],
  },
];
