import { LoginPage } from '../auth/login-page';

export function Component() {
  return <LoginPage />;
}
