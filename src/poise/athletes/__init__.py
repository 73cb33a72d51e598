"""Athletes as a clinic keeps them: a profile (birth year, sex, involved side), notes on
the athlete, a visit or a trial, and trials marked invalid by hand (``poise athlete``,
``poise trial``). Kept in the store as append-only events (:mod:`poise.store.annotations`)."""
