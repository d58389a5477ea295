import { SettingsPage } from '../features/admin/settings-page';

export function Component() {
  return <SettingsPage />;
}
