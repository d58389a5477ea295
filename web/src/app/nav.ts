/** The sidebar's links: the main section for everyone, the admin section for admins only. */
export interface NavItem {
  to: string;
  label: string;
  icon: string;
}

export const MAIN_NAV: NavItem[] = [
  { to: '/', label: 'Dashboard', icon: '◧' },
  { to: '/events', label: 'Events', icon: '≣' },
  { to: '/stats', label: 'Stats', icon: '▤' },
  { to: '/compare', label: 'Compare', icon: '⇄' },
  { to: '/brands', label: 'Brands', icon: '◆' },
  { to: '/sources', label: 'Sources', icon: '⌁' },
  { to: '/affiliates', label: 'Affiliates', icon: '☍' },
  { to: '/deals', label: 'Deal Audit', icon: '⚑' },
  { to: '/settings', label: 'Settings', icon: '⚙' },
];

export const ADMIN_NAV: NavItem[] = [
  { to: '/links', label: 'Link Generator', icon: '⇢' },
  { to: '/admin/sources', label: 'Sources admin', icon: '⌘' },
  { to: '/admin/brands', label: 'Brands admin', icon: '◇' },
  { to: '/admin/rejections', label: 'Rejections', icon: '⊘' },
  { to: '/admin/broken-tags', label: 'Broken Tags', icon: '⚠' },
  { to: '/admin/import', label: 'Import', icon: '⇪' },
  { to: '/settings/users', label: 'Users', icon: '☺' },
  { to: '/settings/api-clients', label: 'API Clients', icon: '⊶' },
  { to: '/settings/bots', label: 'Bots', icon: '✈' },
  { to: '/admin/audit', label: 'Audit log', icon: '☷' },
];

/** What a route tells the shell: its title, and the periods its top-bar selector offers. */
export interface RouteHandle {
  title: string;
  period?: import('../lib/periods').PeriodConfig;
}
