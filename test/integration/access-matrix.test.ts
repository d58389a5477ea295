import { it } from 'vitest';
import { createTestApp } from '../helpers/test-app.js';
it('x', async () => {
  const t = await createTestApp('rt', {});
  console.log(JSON.stringify(t.app.routeTable));
  await t.close();
});
