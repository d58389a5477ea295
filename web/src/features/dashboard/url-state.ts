/** The dashboard's own URL parameters (the period is the top bar's). */
import { z } from 'zod';
import { slugParam } from '../../lib/url-state';

export const dashboardSearch = z.object({ brand: slugParam(), source: slugParam() });
