// Imported first by tests that host a handler: Powertools reads these when the handler module is evaluated, and its
// logs and metrics (EMF on stdout) would drown the test output.
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
