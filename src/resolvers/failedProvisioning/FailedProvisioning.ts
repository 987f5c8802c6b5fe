import { parseOneLoginDateTime } from '../../domain/oneLoginDateTime';
import type { FailedProvisioningResolvers } from '../../__generated__/resolvers-types';

/** OneLogin sends numbers (sometimes numeric strings); GraphQL gets strings. */
const id = (value: number | string | null | undefined): string | null =>
  value === null || value === undefined || value === '' ? null : String(value);

/** `parent` is the upstream FailedProvisioningDto (see `mappers` in codegen.yml). */
export const FailedProvisioning: FailedProvisioningResolvers = {
  loginId: (item) => id(item.login_id),
  appId: (item) => id(item.id),
  // FailedProvisioningsAPI only lets through items whose date it could read.
  createdAt: (item) => parseOneLoginDateTime(item.created_at) as Date,
  description: (item) => item.description || null,
  errorDescription: (item) => item.error_description || null,
  user: (item) => item.user ?? null,
};
