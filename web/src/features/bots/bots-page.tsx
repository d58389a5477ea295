/**
 * Bots `/settings/bots` (admins): every Telegram bot with its business unit, chat, scope chips,
 * status, health and last delivery (with recent failures); Create Bot; a click on a row (or Edit)
 * opens its panel — actions, settings with the live template preview, deliveries; and the alert
 * settings below. The open panel is in the URL (`?bot=12`, `?create=1`), so it can be linked.
 */
import { createColumnHelper } from '@tanstack/react-table';
import { useCallback } from 'react';
import { z } from 'zod';
import { boolParam, useUrlState } from '../../lib/url-state';
import { type Columns, DataTable } from '../../ui/data-table';
import { EmptyState, ErrorState, errorText, TableSkeleton } from '../../ui/states';
import { AlertsCard } from './alerts-card';
import { HealthCell, LastDeliveryCell, ScopeCell, StatusCell } from './bot-cells';
import { CreateBotPanel, EditBotPanel } from './bot-panel';
import {
  type PublicBot,
  type PublicDelivery,
  updateBot,
  useBotDetails,
  useBotMutation,
  useBots,
} from './bots-api';
import './bots.css';

const pageState = z.object({
  bot: z.coerce.number().int().positive().optional().catch(undefined),
  create: boolParam(),
});

interface BotRow extends PublicBot {
  /** The last 20 deliveries; undefined while they load. */
  deliveries: PublicDelivery[] | undefined;
}

const col = createColumnHelper<BotRow>();

function columns(onEdit: (id: number) => void, onToggle: (bot: PublicBot) => void): Columns<BotRow> {
  return [
    col.accessor('name', {
      header: 'Name',
      cell: (c) => <span className="bot-name">{c.getValue()}</span>,
    }),
    col.accessor('businessUnit', {
      header: 'Business unit',
      cell: (c) => c.getValue() ?? <span className="muted">—</span>,
    }),
    col.accessor('chatId', { header: 'TG group', cell: (c) => <code>{c.getValue()}</code> }),
    col.display({
      id: 'scope',
      header: 'Brands / affiliates',
      cell: (c) => <ScopeCell bot={c.row.original} />,
    }),
    col.accessor('status', { header: 'Status', cell: (c) => <StatusCell bot={c.row.original} /> }),
    col.display({ id: 'health', header: 'Health', cell: (c) => <HealthCell bot={c.row.original} /> }),
    col.display({
      id: 'last',
      header: 'Last delivery',
      cell: (c) => <LastDeliveryCell deliveries={c.row.original.deliveries} />,
    }),
    col.display({
      id: 'actions',
      header: 'Actions',
      cell: (c) => {
        const bot = c.row.original;
        return (
          // Buttons inside a clickable row: their clicks are theirs alone.
          // biome-ignore lint/a11y/noStaticElementInteractions: only stops the row's click handler
          // biome-ignore lint/a11y/useKeyWithClickEvents: the buttons inside handle the keyboard
          <span className="toolbar bot-row-actions" onClick={(e) => e.stopPropagation()}>
            <button
              type="button"
              className="btn"
              onClick={() => onEdit(bot.id)}
              aria-label={`Edit ${bot.name}`}
            >
              Edit
            </button>
            <button
              type="button"
              className="btn"
              onClick={() => onToggle(bot)}
              aria-label={`${bot.status === 'active' ? 'Pause' : 'Resume'} ${bot.name}`}
            >
              {bot.status === 'active' ? 'Pause' : 'Resume'}
            </button>
          </span>
        );
      },
    }),
  ];
}

function summary(bots: PublicBot[]): string {
  const active = bots.filter((b) => b.status === 'active').length;
  const online = bots.filter((b) => b.health.status === 'online').length;
  return `${bots.length} Telegram bot${bots.length === 1 ? '' : 's'} · ${active} active · ${online} online`;
}

export function BotsPage() {
  const [state, setState] = useUrlState(pageState);
  const bots = useBots();
  const list = bots.data?.bots ?? [];
  const details = useBotDetails(list.map((b) => b.id));
  const toggle = useBotMutation((bot: PublicBot) => updateBot(bot.id, { isActive: bot.status !== 'active' }));
  const rows: BotRow[] = list.map((b, i) => ({ ...b, deliveries: details[i]?.data?.deliveries }));
  const editing = list.find((b) => b.id === state.bot);
  const edit = (id: number) => setState({ bot: id, create: false });
  // Stable, so the side panel does not take the focus back on every refetch.
  const closeCreate = useCallback(() => setState({ create: false }), [setState]);
  const closeEdit = useCallback(() => setState({ bot: undefined }), [setState]);
  return (
    <div className="stack bots-page">
      <div className="page-head">
        <div className="sub" data-testid="bots-total">
          {bots.data ? summary(list) : 'Loading bots…'}
        </div>
        <button
          type="button"
          className="btn btn-primary"
          onClick={() => setState({ create: true, bot: undefined })}
        >
          + Create Bot
        </button>
      </div>
      {toggle.isError ? (
        <p className="form-error" role="alert">
          {errorText(toggle.error)}
        </p>
      ) : null}
      {bots.isError ? (
        <div className="card">
          <ErrorState error={bots.error} onRetry={() => bots.refetch()} title="Could not load the bots" />
        </div>
      ) : !bots.data ? (
        <TableSkeleton rows={3} columns={8} />
      ) : rows.length === 0 ? (
        <div className="card">
          <EmptyState title="No Telegram bots yet">
            Create one with Create Bot: a token from @BotFather and the chat or group it posts to.
          </EmptyState>
        </div>
      ) : (
        <DataTable
          label="Telegram bots"
          columns={columns(edit, (bot) => toggle.mutate(bot))}
          data={rows}
          rowProps={(row) => ({ 'data-id': String(row.original.id), onClick: () => edit(row.original.id) })}
        />
      )}
      <AlertsCard bots={list} />
      {state.create ? <CreateBotPanel onClose={closeCreate} /> : null}
      {editing ? <EditBotPanel bot={editing} onClose={closeEdit} /> : null}
    </div>
  );
}
