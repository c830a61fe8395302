using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;
using Referrals.Functions.Telemetry;
using Referrals.Pipeline;

var builder = FunctionsApplication.CreateBuilder(args);
// Its options (ValidateOnStart) and StartupChecks fail the worker before it connects to the Functions host, so no trigger runs.
builder.Services.AddReferralsPipeline(builder.Configuration);
builder.Services.AddPipelineMetricsExport(builder.Configuration);
builder.Build().Run();
