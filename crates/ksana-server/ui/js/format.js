// Times as ksana's lap table prints them (crates/ksana-laps/src/table.rs): lap times m:ss.mmm,
// sectors s.mmm, deltas +s.mmm.

/** A lap time in ms as `m:ss.mmm` ("—" when absent). */
export function lapTime(ms) {
  if (ms === null || ms === undefined) return "—";
  const m = Math.floor(ms / 60000);
  const s = Math.floor(ms / 1000) % 60;
  return `${m}:${String(s).padStart(2, "0")}.${String(ms % 1000).padStart(3, "0")}`;
}

/** A sector time in ms as `s.mmm` ("" when absent). */
export function sectorTime(ms) {
  if (ms === null || ms === undefined) return "";
  return `${Math.floor(ms / 1000)}.${String(ms % 1000).padStart(3, "0")}`;
}

/** A delta in ms as `+s.mmm` / `-s.mmm` ("" when absent). */
export function delta(ms) {
  if (ms === null || ms === undefined) return "";
  const a = Math.abs(ms);
  return `${ms < 0 ? "-" : "+"}${Math.floor(a / 1000)}.${String(a % 1000).padStart(3, "0")}`;
}

/** A delta in seconds (float) as `+s.sss`. */
export function deltaSeconds(s) {
  if (s === null || s === undefined || !Number.isFinite(s)) return "";
  return `${s < 0 ? "-" : "+"}${Math.abs(s).toFixed(3)}`;
}

/** An RFC 3339 time as local `YYYY-MM-DD HH:MM` (the text itself when it does not parse). */
export function dateTime(text) {
  if (!text) return "";
  const d = new Date(text);
  if (Number.isNaN(d.getTime())) return String(text);
  const p = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** A short date `YYYY-MM-DD` of an RFC 3339 time. */
export function dateOnly(text) {
  return dateTime(text).slice(0, 10);
}

/** The flags of a lap, as the lap table words them (an unfinished lap says only that). */
export function lapFlags(lap) {
  const unfinished = lap.time_ms === null || lap.time_ms === undefined;
  const flags = [];
  if (unfinished) flags.push("unfinished");
  else if (!lap.valid) flags.push("invalid");
  if (lap.out_lap) flags.push("out");
  if (lap.in_lap) flags.push("in");
  if (lap.partial && !unfinished) flags.push("partial");
  return flags;
}
