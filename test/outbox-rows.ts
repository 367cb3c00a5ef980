/** Outbox rows for dispatcher tests: `count` escalation notices, each in-app and by email. */
export function escalationOutboxRows(run: string, count: number) {
  return Array.from({ length: count }, (_, i) => i).flatMap((i) =>
    (['in_app', 'email'] as const).map((channel) => ({
      dedupe_key: `${run}/task/t${i}/rung/1/department/user:u${i}/${channel}`,
      project_code: run,
      kind: 'escalation',
      audience: 'department',
      channel,
      user_id: `u${i}`,
      email: channel === 'email' ? `u${i}@example.test` : null,
      webhook_id: null,
      subject: `【到期提醒】测试 ${i}`,
      body: '测试',
      link: 'http://luodi.test',
      payload: '{}',
    })),
  );
}
