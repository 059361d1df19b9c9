// Imported first by the local-cloud tests: the handler's Powertools logger reads its level when app.ts is evaluated,
// and its retries log at ERROR, which would drown the test output.
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
