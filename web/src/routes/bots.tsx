import { NotBuiltYet } from '../ui/coming';

export function Component() {
  return (
    <NotBuiltYet
      page="Bots"
      detail="The Telegram bots page arrives with the bots API (being built now): create a bot, its scope and template, test message, health and deliveries."
    />
  );
}
