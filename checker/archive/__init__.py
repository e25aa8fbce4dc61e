"""The archive stage: the right Internet Archive capture for every rotten link."""
