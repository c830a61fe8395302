using System.Net;
using System.Security.Claims;
using System.Text;
using Azure.Storage.Queues.Models;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Referrals.LocalHost;

namespace Referrals.Pipeline.Tests;

/// <summary>
/// The Functions app's services as its Program.cs registers them (AddReferralsPipeline) in a started host, on Azurite
/// with tables of its own, and its function classes called the way the worker calls them: an HTTP function with a
/// request, a queue function with a message, a timer function with its TimerInfo. No WebJobs host, so no timer fires by
/// itself: the clock is the test's.
/// </summary>
public sealed class FunctionsApp : IAsyncDisposable
{
    private readonly IHost _host;

    private FunctionsApp(IHost host) => _host = host;

    public IServiceProvider Services => _host.Services;

    /// <param name="settings">Settings on top of the local ones (a null value removes one).</param>
    public static async Task<FunctionsApp> StartAsync(AzuriteFixture azurite, IDictionary<string, string?> settings, TimeProvider? time = null)
    {
        var id = Guid.NewGuid().ToString("N")[..8];
        var directory = LocalServices.WriteLocalDirectory(
            Path.Combine(AppContext.BaseDirectory, Rules.ServiceDirectory.DefaultFileName), "http://127.0.0.1:9", Path.Combine(Path.GetTempPath(), $"referrals-test-{id}", "services.json"));
        var values = LocalSettings.For(azurite.ConnectionString, "http://127.0.0.1:9", directory, tablePrefix: $"f{id}", queuePrefix: $"f{id}-");
        foreach (var (name, value) in settings)
        {
            values[name] = value;
        }

        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(values.Where(v => v.Value is not null));
        if (time is not null)
        {
            builder.Services.AddSingleton(time);
        }

        builder.Services.AddReferralsPipeline(builder.Configuration);
        var host = builder.Build();
        await host.StartAsync();
        return new FunctionsApp(host);
    }

    /// <summary>A function class, built with the app's services as the worker builds it.</summary>
    public T Function<T>() => ActivatorUtilities.CreateInstance<T>(Services);

    public static QueueMessage Message(string text, long dequeueCount = 1) =>
        QueuesModelFactory.QueueMessage(Guid.NewGuid().ToString(), "pop", Convert.ToBase64String(Encoding.UTF8.GetBytes(text)), dequeueCount);

    public static TimerInfo Timer() => new();

    public static FunctionRequest Get(string pathAndQuery, params (string Name, string Value)[] headers) =>
        new(new Uri(new Uri("https://func-referrals.example.net"), pathAndQuery), headers);

    /// <summary>A form posted as a browser posts it (application/x-www-form-urlencoded).</summary>
    public static FunctionRequest Post(string pathAndQuery, string form, params (string Name, string Value)[] headers) =>
        new(new Uri(new Uri("https://func-referrals.example.net"), pathAndQuery), [.. headers, ("Content-Type", "application/x-www-form-urlencoded")], "POST", Encoding.UTF8.GetBytes(form));

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }
}

/// <summary>An HTTP request as the isolated worker hands it to a function.</summary>
public sealed class FunctionRequest(Uri url, IEnumerable<(string Name, string Value)> headers, string method = "GET", byte[]? body = null) : HttpRequestData(new NoFunctionContext())
{
    private readonly HttpHeadersCollection _headers = new(headers.Select(h => new KeyValuePair<string, string>(h.Name, h.Value)));

    public override Stream Body { get; } = new MemoryStream(body ?? []);

    public override HttpHeadersCollection Headers => _headers;

    public override IReadOnlyCollection<IHttpCookie> Cookies => [];

    public override Uri Url { get; } = url;

    public override IEnumerable<ClaimsIdentity> Identities => [];

    public override string Method => method;

    public override HttpResponseData CreateResponse() => new FunctionResponse(FunctionContext);
}

/// <summary>What a function answered.</summary>
public sealed class FunctionResponse(FunctionContext context) : HttpResponseData(context)
{
    public override HttpStatusCode StatusCode { get; set; }

    public override HttpHeadersCollection Headers { get; set; } = [];

    public override Stream Body { get; set; } = new MemoryStream();

    public override HttpCookies Cookies => throw new NotSupportedException();

    public string Text => Encoding.UTF8.GetString(((MemoryStream)Body).ToArray());

    public string? Header(string name) => Headers.TryGetValues(name, out var values) ? string.Join(",", values) : null;
}

/// <summary>The invocation context the functions under test never read.</summary>
internal sealed class NoFunctionContext : FunctionContext
{
    public override string InvocationId => "test";

    public override string FunctionId => "test";

    public override TraceContext TraceContext => throw new NotSupportedException();

    public override BindingContext BindingContext => throw new NotSupportedException();

    public override RetryContext RetryContext => throw new NotSupportedException();

    public override IServiceProvider InstanceServices { get; set; } = new ServiceCollection().BuildServiceProvider();

    public override FunctionDefinition FunctionDefinition => throw new NotSupportedException();

    public override IDictionary<object, object> Items { get; set; } = new Dictionary<object, object>();

    public override IInvocationFeatures Features => throw new NotSupportedException();
}
