using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;
using Referrals.Functions.Telemetry;
using Referrals.Pipeline;

var builder = FunctionsApplication.CreateBuilder(args);
builder.Services.AddReferralsPipeline(builder.Configuration);
builder.Services.AddPipelineMetricsExport(builder.Configuration);
builder.Build().Run();
