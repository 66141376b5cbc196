"""The fingerprint core's bench hooks: generated samples, stage timings, EDC on the FVC sets."""
