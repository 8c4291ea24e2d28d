/**
 * Other operators' values in V'lille's vocabulary, so `check` (stale_stations looks at etat = 'EN SERVICE')
 * and queries read every format alike. The same mapping feeds both warehouses: it is applied here, before staging.
 * Documented in README.md ("Formats").
 */
export const ETAT_IN_SERVICE = 'EN SERVICE';
export const ETAT_OUT_OF_SERVICE = 'HORS SERVICE';
export const ETAT_MAINTENANCE = 'IN_MAINTENANCE';
export const CONNECTED = 'CONNECTÉ';
export const DISCONNECTED = 'DÉCONNECTÉ';
export const WITH_TERMINAL = 'AVEC TPE';
export const WITHOUT_TERMINAL = 'SANS TPE';

/** JCDecaux `status`: OPEN / CLOSED; anything else is kept as published. */
export function jcdecauxEtat(status: unknown): string | null {
  if (status === 'OPEN') return ETAT_IN_SERVICE;
  if (status === 'CLOSED') return ETAT_OUT_OF_SERVICE;
  return typeof status === 'string' ? status : null;
}

/** JCDecaux `banking` (a payment terminal at the station) → V'lille `type`. */
export function jcdecauxType(banking: unknown): string | null {
  return typeof banking === 'boolean' ? (banking ? WITH_TERMINAL : WITHOUT_TERMINAL) : null;
}

/** JCDecaux v3 `connected` → V'lille `etat_connexion` (v1 has no such field: null). */
export function connexion(connected: unknown): string | null {
  return typeof connected === 'boolean' ? (connected ? CONNECTED : DISCONNECTED) : null;
}

/** GBFS flags: not installed → HORS SERVICE; renting and returning → EN SERVICE; otherwise IN_MAINTENANCE. */
export function gbfsEtat(installed: unknown, renting: unknown, returning: unknown): string | null {
  if (installed === false) return ETAT_OUT_OF_SERVICE;
  if (typeof renting !== 'boolean' || typeof returning !== 'boolean') return installed === true ? ETAT_IN_SERVICE : null;
  return renting && returning ? ETAT_IN_SERVICE : ETAT_MAINTENANCE;
}
