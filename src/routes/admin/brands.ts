/**
 * `/api/admin/brands`: every brand with its aliases, events and last event; rename and block /
 * unblock (`PATCH /:slug`); merge an alias into its brand (`POST /:slug/merge { into }`).
 * Admins only (registered inside the admin scope); every change is audited by brand-admin.ts.
 */
import type { FastifyInstance } from 'fastify';
import { actorOf } from '../../access/guards.js';
import { listAdminBrands, mergeBrand, updateBrand } from '../../brands/brand-admin.js';
import type { AppContext } from '../../context.js';

export async function adminBrandRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const deps = { db: ctx.db, brands: ctx.brands, derived: ctx.derived };

  app.get('/api/admin/brands', async () => ({ brands: await listAdminBrands(deps) }));

  app.patch<{ Params: { slug: string } }>('/api/admin/brands/:slug', async (request) => ({
    brand: await updateBrand(deps, request.params.slug, request.body, actorOf(request)),
  }));

  app.post<{ Params: { slug: string } }>('/api/admin/brands/:slug/merge', async (request) => {
    // Events still queued for folding move with the merge; folding them first keeps the merge short.
    await ctx.derived.catchUp();
    return mergeBrand(deps, request.params.slug, request.body, actorOf(request));
  });
}
