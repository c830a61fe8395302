using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace Referrals.Rules;

/// <summary>How a victim contacts a service themselves; goes in the entitlement email.</summary>
public sealed record SelfReferral
{
    public string? Phone { get; init; }

    public string? Email { get; init; }

    public Uri? Website { get; init; }

    public string? Hours { get; init; }
}

/// <summary>How the pipeline authenticates to a service's API: an API key header, or an Entra ID token for a scope.</summary>
public sealed record ReferralAuth
{
    /// <summary>The header carrying the key, e.g. <c>X-Api-Key</c>.</summary>
    public string? ApiKeyHeader { get; init; }

    /// <summary>The app setting holding the key (a Key Vault reference in Azure), e.g. <c>ServiceKeys__general</c>; never the key itself.</summary>
    public string? ApiKeySetting { get; init; }

    /// <summary>The scope of the service's API, e.g. <c>api://victim-services/.default</c>; the token comes from the app's identity.</summary>
    public string? EntraScope { get; init; }
}

/// <summary>Where and how referrals reach a service: its API (<c>Http</c>) or a secure mailbox (<c>Email</c>, e.g. CJSM).</summary>
public sealed record ReferralChannel
{
    public const string Http = "Http";
    public const string Email = "Email";

    public required string Channel { get; init; }

    /// <summary>For <c>Http</c>: the URL referrals are POSTed to.</summary>
    public string? Endpoint { get; init; }

    /// <summary>For <c>Email</c>: the service's referral mailbox.</summary>
    public string? Address { get; init; }

    public ReferralAuth? Auth { get; init; }

    public bool IsHttp => Channel == Http;

    public Uri EndpointUri => new(Endpoint!, UriKind.Absolute);
}

/// <summary>The force's Victim Care Unit: receives single-session offers and consent-seeking tasks over its channel.</summary>
public sealed record VictimCareUnit
{
    public const string Id = "vcu";

    public required string Name { get; init; }

    public required ReferralChannel Referral { get; init; }
}

/// <summary>One commissioned service (rulebook section 4).</summary>
public sealed record ServiceEntry
{
    public required string Id { get; init; }

    public required string Name { get; init; }

    public string? Description { get; init; }

    /// <summary>The service is eligible when any one of these holds: <c>EveryVictim</c> or a <see cref="Category"/>.</summary>
    public required IReadOnlyList<string> EligibleWhen { get; init; }

    public bool AutoReferOnOptOut { get; init; }

    /// <summary>
    /// Rulebook 1.2 section 11: the working days from a referral's delivery date within which the service agreed to make
    /// its first attempt to contact the victim (its contract's target), 1 to 20; absent: 2.
    /// </summary>
    public int? FirstAttemptWithinWorkingDays { get; init; }

    /// <summary>The target in force: <see cref="FirstAttemptWithinWorkingDays"/>, or 2.</summary>
    public int FirstAttemptTarget => FirstAttemptWithinWorkingDays ?? 2;

    public required SelfReferral SelfReferral { get; init; }

    /// <summary>Not <c>required</c> for the JSON reader, so a missing channel is reported by validation naming the entry; never null after it.</summary>
    public ReferralChannel Referral { get; init; } = null!;

    public bool IsEligible(IReadOnlySet<Category> categories) =>
        EligibleWhen.Any(condition => condition == ServiceDirectory.EveryVictim
            || (Enum.TryParse<Category>(condition, out var category) && categories.Contains(category)));
}

/// <summary>
/// The services directory: configuration (JSON), not code, so a force changes services and contacts
/// without a release. Loading validates every entry and names the one that is wrong.
/// </summary>
public sealed partial class ServiceDirectory
{
    public const string DefaultFileName = "Rules/services.json";
    public const string EveryVictim = "EveryVictim";

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNameCaseInsensitive = false,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    public ServiceDirectory(IReadOnlyList<ServiceEntry> services, VictimCareUnit victimCareUnit)
    {
        Validate(services);
        ValidateChannel("victimCareUnit", victimCareUnit.Referral);
        Services = services;
        VictimCareUnit = victimCareUnit;
    }

    public IReadOnlyList<ServiceEntry> Services { get; }

    public VictimCareUnit VictimCareUnit { get; }

    public ServiceEntry this[string id] => Services.First(s => s.Id == id);

    /// <summary>The channel of a service id, or of the Victim Care Unit for <see cref="VictimCareUnit.Id"/>; null if unknown.</summary>
    public ReferralChannel? ChannelOf(string id) =>
        id == VictimCareUnit.Id ? VictimCareUnit.Referral : Services.FirstOrDefault(s => s.Id == id)?.Referral;

    /// <summary>The display name of a service id, or of the Victim Care Unit.</summary>
    public string NameOf(string id) =>
        id == VictimCareUnit.Id ? VictimCareUnit.Name : Services.FirstOrDefault(s => s.Id == id)?.Name ?? id;

    public static ServiceDirectory LoadDefault() =>
        Load(Path.Combine(AppContext.BaseDirectory, DefaultFileName));

    public static ServiceDirectory Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"The services directory was not found at '{path}'.", path);
        }

        return Parse(File.ReadAllText(path), path);
    }

    public static ServiceDirectory Parse(string json, string source)
    {
        DirectoryFile? file;
        try
        {
            file = JsonSerializer.Deserialize<DirectoryFile>(json, JsonOptions);
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{source}: the services directory is not valid: {ex.Message}", ex);
        }

        if (file?.Services is not { Count: > 0 } services)
        {
            throw new InvalidDataException($"{source}: the services directory must list at least one service under \"services\".");
        }

        try
        {
            if (file.VictimCareUnit is not { } unit || string.IsNullOrWhiteSpace(unit.Name) || unit.Referral is null)
            {
                throw new InvalidDataException("the services directory needs a \"victimCareUnit\" with a name and a referral channel: single-session offers and consent tasks go there.");
            }

            return new ServiceDirectory(services, unit);
        }
        catch (InvalidDataException ex)
        {
            throw new InvalidDataException($"{source}: {ex.Message}", ex);
        }
    }

    private static void Validate(IReadOnlyList<ServiceEntry> services)
    {
        var known = Enum.GetNames<Category>().Where(n => n != nameof(Category.Unclassified)).Append(EveryVictim).ToHashSet(StringComparer.Ordinal);
        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < services.Count; i++)
        {
            var service = services[i];
            var name = $"services[{i}] ({service.Id})";
            if (service.Id is null || !ServiceId().IsMatch(service.Id))
            {
                throw new InvalidDataException($"{name}: id must be 1 to 32 lower-case letters, digits or '-'.");
            }

            if (!ids.Add(service.Id))
            {
                throw new InvalidDataException($"{name}: id '{service.Id}' is used by more than one service.");
            }

            if (string.IsNullOrWhiteSpace(service.Name))
            {
                throw new InvalidDataException($"{name}: name is required.");
            }

            if (service.EligibleWhen is not { Count: > 0 } || service.EligibleWhen.FirstOrDefault(c => !known.Contains(c)) is { } unknown)
            {
                throw new InvalidDataException($"{name}: eligibleWhen must list one or more of {string.Join(", ", known)}.");
            }

            if (service.FirstAttemptWithinWorkingDays is < 1 or > 20)
            {
                throw new InvalidDataException($"{name}: firstAttemptWithinWorkingDays must be a whole number of working days from 1 to 20 (absent: 2).");
            }

            ValidateSelfReferral(name, service.SelfReferral);
            if (service.Id == VictimCareUnit.Id)
            {
                throw new InvalidDataException($"{name}: id '{VictimCareUnit.Id}' is kept for the Victim Care Unit.");
            }

            ValidateChannel(name, service.Referral);
        }
    }

    private static void ValidateChannel(string name, ReferralChannel? channel)
    {
        switch (channel?.Channel)
        {
            case null:
                throw new InvalidDataException($"{name}: referral is required: {{ \"channel\": \"Http\", \"endpoint\": … }} or {{ \"channel\": \"Email\", \"address\": … }}.");
            case ReferralChannel.Http:
                if (string.IsNullOrWhiteSpace(channel.Endpoint))
                {
                    throw new InvalidDataException($"{name}: referral.endpoint is required for the Http channel.");
                }

                if (!Uri.TryCreate(channel.Endpoint, UriKind.Absolute, out var endpoint) || !(endpoint.Scheme == Uri.UriSchemeHttps || (endpoint.Scheme == Uri.UriSchemeHttp && endpoint.IsLoopback)))
                {
                    throw new InvalidDataException($"{name}: referral.endpoint '{channel.Endpoint}' must be an absolute https:// URL (http:// only on loopback, for local runs).");
                }

                ValidateAuth(name, channel.Auth);
                break;
            case ReferralChannel.Email:
                if (channel.Address is not { } address || !EmailAddress.IsValid(address))
                {
                    throw new InvalidDataException($"{name}: referral.address must be the service's referral mailbox for the Email channel.");
                }

                break;
            default:
                throw new InvalidDataException($"{name}: referral.channel '{channel.Channel}' is unknown: use Http or Email.");
        }
    }

    private static void ValidateAuth(string name, ReferralAuth? auth)
    {
        var apiKey = auth is { ApiKeyHeader.Length: > 0, ApiKeySetting.Length: > 0 };
        var entra = auth is { EntraScope.Length: > 0 };
        if (apiKey == entra)
        {
            throw new InvalidDataException($"{name}: referral.auth must have either apiKeyHeader with apiKeySetting (the app setting holding the key), or entraScope.");
        }
    }

    private static void ValidateSelfReferral(string name, SelfReferral? selfReferral)
    {
        if (selfReferral is null || (selfReferral.Phone is null && selfReferral.Email is null && selfReferral.Website is null))
        {
            throw new InvalidDataException($"{name}: selfReferral needs a phone, an email or a website, so victims can contact the service.");
        }

        if (selfReferral.Email is { } email && !EmailAddress.IsValid(email))
        {
            throw new InvalidDataException($"{name}: selfReferral.email '{email}' is not a valid email address.");
        }

        if (selfReferral.Website is { } website && (!website.IsAbsoluteUri || website.Scheme != Uri.UriSchemeHttps))
        {
            throw new InvalidDataException($"{name}: selfReferral.website must be an absolute https:// address.");
        }
    }

    [GeneratedRegex("^[a-z0-9-]{1,32}$", RegexOptions.CultureInvariant)]
    private static partial Regex ServiceId();

    private sealed record DirectoryFile
    {
        public List<ServiceEntry>? Services { get; init; }

        public VictimCareUnit? VictimCareUnit { get; init; }
    }
}
