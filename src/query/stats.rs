//! Statistics over the archive: activity per month, model, role, weekday and hour, the
//! longest conversations, the import log and the archive's totals.
