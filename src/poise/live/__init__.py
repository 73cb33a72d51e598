"""The live trainer: guided sessions in real time, on any source (see :mod:`poise.live.session`)."""
