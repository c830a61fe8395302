using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Referrals.Pipeline.Configuration;

namespace Referrals.Pipeline.Tests;

/// <summary>The gateways' HttpClients exactly as the app registers them (handler, timeout), for gateway tests.</summary>
internal static class OutboundHttp
{
    public static HttpClient ClientFor<TGateway>(SendGridOptions? sendGrid = null, ForwardingOptions? forwarding = null, NotifyOptions? notify = null) =>
        new ServiceCollection()
            .AddSingleton(Options.Create(sendGrid ?? new SendGridOptions()))
            .AddSingleton(Options.Create(forwarding ?? new ForwardingOptions()))
            .AddSingleton(Options.Create(notify ?? new NotifyOptions()))
            .AddOutboundHttpClients()
            .BuildServiceProvider()
            .GetRequiredService<IHttpClientFactory>()
            .CreateClient(typeof(TGateway).Name);
}
