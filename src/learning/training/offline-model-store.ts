import type { EntityManager } from '@mikro-orm/postgresql';
import { gunzipSync, gzipSync } from 'node:zlib';
import { OfflineModel } from '../../db/entities';
import { notFound } from '../../errors';
import { isUuid } from '../../ids';
import { OfflineAnswerModel, type OfflineModelData } from './offline-model';

/** The artifact stored in `offline_model.artifact`: gzip of the model's JSON. */
export function packModel(model: OfflineAnswerModel): Buffer {
  return gzipSync(JSON.stringify(model.data));
}

export function unpackModel(artifact: Buffer): OfflineAnswerModel {
  return OfflineAnswerModel.fromData(JSON.parse(gunzipSync(artifact).toString('utf8')) as OfflineModelData);
}

/** A tenant's offline model (the artifact loaded), or NOT_FOUND (another tenant's id included). */
export async function loadOfflineModel(em: EntityManager, tenantId: string, id: string): Promise<OfflineAnswerModel> {
  const row = isUuid(id)
    ? await em.findOne(OfflineModel, { id, tenant: tenantId }, { fields: ['id', 'artifact'] })
    : null;
  if (!row) throw notFound('Offline model', id);
  return unpackModel(row.artifact);
}
