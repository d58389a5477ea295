/**
 * The table primitive: TanStack Table column definitions rendered as a dense, sticky-headed table.
 * Sorting is either the server's (`sort` + `onSort`, the table only shows the arrows) or done here
 * on the rows given (`clientSort`). Renders what it is given; never fetches.
 */
import {
  type ColumnDef,
  flexRender,
  getCoreRowModel,
  getSortedRowModel,
  type Row,
  type RowData,
  type SortingState,
  useReactTable,
} from '@tanstack/react-table';
import { type ReactNode, useState } from 'react';

declare module '@tanstack/react-table' {
  interface ColumnMeta<TData extends RowData, TValue> {
    numeric?: boolean;
    /** The server's sort key for this column, when the server sorts. */
    sortKey?: string;
    className?: string;
  }
}

export interface ServerSort {
  sort: string;
  order: 'asc' | 'desc';
  onSort: (sort: string, order: 'asc' | 'desc') => void;
}

/**
 * Columns of mixed value types: TanStack's documented element type is ColumnDef<T, any>, as a
 * ColumnDef<T, string> is not assignable to ColumnDef<T, unknown> (its callbacks are contravariant).
 */
// biome-ignore lint/suspicious/noExplicitAny: see above; values are only passed back to the column's own cell
export type Columns<T> = ColumnDef<T, any>[];

export function DataTable<T>({
  columns,
  data,
  rowProps,
  serverSort,
  clientSort = false,
  footer,
  label,
}: {
  columns: Columns<T>;
  data: T[];
  rowProps?: (row: Row<T>) => { className?: string; onClick?: () => void; 'data-id'?: string };
  serverSort?: ServerSort;
  clientSort?: boolean;
  footer?: ReactNode;
  label: string;
}) {
  const [sorting, setSorting] = useState<SortingState>([]);
  const table = useReactTable({
    data,
    columns,
    state: { sorting },
    onSortingChange: setSorting,
    enableSorting: clientSort,
    getCoreRowModel: getCoreRowModel(),
    getSortedRowModel: clientSort ? getSortedRowModel() : undefined,
  });
  return (
    <div className="table-wrap">
      <table className="data" aria-label={label}>
        <thead>
          {table.getHeaderGroups().map((group) => (
            <tr key={group.id}>
              {group.headers.map((header) => {
                const meta = header.column.columnDef.meta;
                const content = header.isPlaceholder
                  ? null
                  : flexRender(header.column.columnDef.header, header.getContext());
                let ariaSort: 'ascending' | 'descending' | undefined;
                let sortButton: ReactNode = content;
                if (serverSort && meta?.sortKey) {
                  const key = meta.sortKey;
                  const active = serverSort.sort === key;
                  if (active) ariaSort = serverSort.order === 'asc' ? 'ascending' : 'descending';
                  sortButton = (
                    <button
                      type="button"
                      className="sort"
                      onClick={() =>
                        serverSort.onSort(key, active && serverSort.order === 'desc' ? 'asc' : 'desc')
                      }
                    >
                      {content}
                      <span aria-hidden>{active ? (serverSort.order === 'asc' ? '▲' : '▼') : '↕'}</span>
                    </button>
                  );
                } else if (clientSort && header.column.getCanSort()) {
                  const dir = header.column.getIsSorted();
                  if (dir) ariaSort = dir === 'asc' ? 'ascending' : 'descending';
                  sortButton = (
                    <button type="button" className="sort" onClick={header.column.getToggleSortingHandler()}>
                      {content}
                      <span aria-hidden>{dir === 'asc' ? '▲' : dir === 'desc' ? '▼' : '↕'}</span>
                    </button>
                  );
                }
                return (
                  <th
                    key={header.id}
                    className={`${meta?.numeric ? 'num' : ''} ${meta?.className ?? ''}`}
                    aria-sort={ariaSort}
                    scope="col"
                  >
                    {sortButton}
                  </th>
                );
              })}
            </tr>
          ))}
        </thead>
        <tbody>
          {table.getRowModel().rows.map((row) => {
            const props = rowProps?.(row) ?? {};
            return (
              <tr
                key={row.id}
                {...props}
                className={`${props.onClick ? 'clickable' : ''} ${props.className ?? ''}`}
              >
                {row.getVisibleCells().map((cell) => {
                  const meta = cell.column.columnDef.meta;
                  return (
                    <td key={cell.id} className={`${meta?.numeric ? 'num' : ''} ${meta?.className ?? ''}`}>
                      {flexRender(cell.column.columnDef.cell, cell.getContext())}
                    </td>
                  );
                })}
              </tr>
            );
          })}
          {footer}
        </tbody>
      </table>
    </div>
  );
}
