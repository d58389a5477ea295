/**
 * Types of the server's answers, inferred from the very zod contracts the server validates with
 * (type-only imports: no server code reaches the bundle).
 */
import type { z } from 'zod';
import type * as C from '../../../src/contracts/analytics.js';

export type Summary = z.infer<typeof C.summaryResponse>;
export type Timeseries = z.infer<typeof C.timeseriesResponse>;
export type EventItem = z.infer<typeof C.eventItem>;
export type EventsPage = z.infer<typeof C.eventsResponse>;
export type EventDetail = z.infer<typeof C.eventDetailResponse>;
export type RecentEvents = z.infer<typeof C.recentResponse>;
export type Stats = z.infer<typeof C.statsResponse>;
export type StatRow = Stats['rows'][number];
export type Compare = z.infer<typeof C.compareResponse>;
export type Brands = z.infer<typeof C.brandsResponse>;
export type Brand = z.infer<typeof C.brandResponse>;
export type Sources = z.infer<typeof C.sourcesResponse>;
export type Affiliates = z.infer<typeof C.affiliatesResponse>;
export type Affiliate = z.infer<typeof C.affiliateResponse>;
export type Deals = z.infer<typeof C.dealsResponse>;
export type Deal = z.infer<typeof C.dealResponse>;
export type BrokenTags = z.infer<typeof C.brokenTagsResponse>;
export type SourceHealth = z.infer<typeof C.sourceHealthResponse>;
export type Counts = Summary['counts'];
export type Money = Summary['revenue'][number];
export type Rates = Summary['rates'];
export type Rate = Rates['click_to_reg'];
export type RateValues = StatRow['rates'];
export type SeriesPoint = Timeseries['points'][number];

/** `/api/auth/me` and the admin users list (src/access/users.ts publicUser). */
export interface PublicUser {
  id: number;
  telegramId: string | null;
  firstName: string;
  lastName: string;
  username: string | null;
  photoUrl: string | null;
  role: 'admin' | 'viewer';
  status: 'pending' | 'approved' | 'rejected';
  isActive: boolean;
  createdAt: string;
  lastLoginAt: string | null;
}
export interface Me {
  user: PublicUser;
  csrfToken: string;
}
export interface AuthConfig {
  telegramBotName: string | null;
}
