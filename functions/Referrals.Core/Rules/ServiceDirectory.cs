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

/// <summary>One commissioned service (rulebook section 4).</summary>
public sealed record ServiceEntry
{
    public required string Id { get; init; }

    public required string Name { get; init; }

    public string? Description { get; init; }

    /// <summary>The service is eligible when any one of these holds: <c>EveryVictim</c> or a <see cref="Category"/>.</summary>
    public required IReadOnlyList<string> EligibleWhen { get; init; }

    public bool AutoReferOnOptOut { get; init; }

    public required SelfReferral SelfReferral { get; init; }

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

    public ServiceDirectory(IReadOnlyList<ServiceEntry> services)
    {
        Validate(services);
        Services = services;
    }

    public IReadOnlyList<ServiceEntry> Services { get; }

    public ServiceEntry this[string id] => Services.First(s => s.Id == id);

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
            return new ServiceDirectory(services);
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
            if (!ServiceId().IsMatch(service.Id ?? string.Empty))
            {
                throw new InvalidDataException($"{name}: id must be 1 to 32 lower-case letters, digits or '-'.");
            }

            if (!ids.Add(service.Id!))
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

            ValidateSelfReferral(name, service.SelfReferral);
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
    }
}
