/**
 * The MEL GeoServer's station properties, the same in its WFS GeoJSON and its OGC API CSV (FORMATS.md §2):
 * nom, adresse, commune, etat, type, nb_places_dispo, nb_velos_dispo, etat_connexion, x (lon), y (lat),
 * date_modification (Paris wall clock with a wrong Z).
 */
import { preview } from '../preview.js';
import type { LocatedRecord } from '../types.js';
import { parisWallClock } from './times.js';
import { blankToNull, coordinate, count, text, tooLong } from './values.js';

export interface MelValues {
  record: Omit<LocatedRecord, 'record_timestamp'>;
  nom: string | null;
  adresse: string | null;
  commune: string | null;
  type: string | null;
}

/** True when the properties carry no observation (a degraded response keeps only the position). */
export function isDegradedMel(props: Record<string, unknown>): boolean {
  return blankToNull(props.nb_velos_dispo) == null && blankToNull(props.nb_places_dispo) == null && blankToNull(props.etat) == null;
}

/** The observation in `props`, or why it cannot be used. `fromText`: CSV cells are strings. */
export function melValues(props: Record<string, unknown>, fromText: boolean, fallback?: { x: unknown; y: unknown }): MelValues | string {
  const bikes = count(props.nb_velos_dispo, fromText);
  if (bikes === null) return `nb_velos_dispo is not a non-negative integer: ${preview(props.nb_velos_dispo)}`;
  const docks = count(props.nb_places_dispo, fromText);
  if (docks === null) return `nb_places_dispo is not a non-negative integer: ${preview(props.nb_places_dispo)}`;
  const rawUpdated = blankToNull(props.date_modification);
  const updated = rawUpdated == null ? null : parisWallClock(rawUpdated);
  if (updated === null && rawUpdated != null) return `unparseable date_modification: ${preview(rawUpdated)}`;
  const longitude = coordinate(blankToNull(props.x) ?? fallback?.x);
  const latitude = coordinate(blankToNull(props.y) ?? fallback?.y);
  if (longitude === null || latitude === null) return `no position (x=${preview(props.x)}, y=${preview(props.y)})`;
  const values = {
    nom: text(blankToNull(props.nom)),
    adresse: text(blankToNull(props.adresse)),
    commune: text(blankToNull(props.commune)),
    type: text(blankToNull(props.type)),
    etat: text(blankToNull(props.etat)),
    etat_connexion: text(blankToNull(props.etat_connexion)),
  };
  const long = tooLong(values);
  if (long !== null) return long;
  return {
    record: { etat: values.etat, nb_velos_dispo: bikes, nb_places_dispo: docks, etat_connexion: values.etat_connexion, derniere_maj: updated, longitude, latitude },
    nom: values.nom,
    adresse: values.adresse,
    commune: values.commune,
    type: values.type,
  };
}
