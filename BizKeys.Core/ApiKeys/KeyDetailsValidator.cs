using BizKeys.Core.Configuration;
using BizKeys.Core.Data;
using FluentValidation;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace BizKeys.Core.ApiKeys;

/// <summary>
/// The rules for a key's settings. The service runs them on every save and the admin app runs the
/// same ones field by field, so a person sees exactly the message the save would give.
/// </summary>
public abstract class KeyDetailsValidator<T> : AbstractValidator<T> where T : KeyDetailsRequest
{
    public static readonly TimeSpan MaxLifetime = TimeSpan.FromDays(3650);

    protected KeyDetailsValidator(IOptions<BizKeysOptions> options, IDbContextFactory<BizKeysDbContext> dbFactory, TimeProvider time)
    {
        var catalogue = options.Value;

        RuleFor(x => x.Name).Cascade(CascadeMode.Stop)
            .Must(name => !string.IsNullOrWhiteSpace(name)).WithMessage("Enter a name for the key.")
            .Must(name => name.Trim().EnumerateRunes().Count() <= ApiKey.NameMaxLength)
                .WithMessage($"Use at most {ApiKey.NameMaxLength} characters.")
            .Must(name => !name.Any(char.IsControl))
                .WithMessage("The name can't contain control characters such as tabs or line breaks.")
            .MustAsync(async (request, name, ct) => await IsNameFreeAsync(dbFactory, request, name, ct))
                .WithMessage(x => $"Another key in this account is already named \"{x.Name.Trim()}\".");

        RuleFor(x => x.Environment)
            .Must(env => catalogue.Environments.Contains(env, StringComparer.Ordinal))
            .WithMessage($"Choose one of: {string.Join(", ", catalogue.Environments)}.");

        RuleForEach(x => x.Permissions)
            .Must(p => catalogue.Permissions.Contains(p, StringComparer.Ordinal))
            .WithMessage((_, p) => $"\"{p}\" is not a permission BizKeys knows.");

        RuleFor(x => x.ExpiresAt)
            .Must(at => at is null || at.Value.ToUniversalTime() > time.GetUtcNow().UtcDateTime)
                .WithMessage("Choose an expiry date in the future.")
            .Must(at => at is null || at.Value.ToUniversalTime() <= time.GetUtcNow().UtcDateTime + MaxLifetime)
                .WithMessage("Choose an expiry date within 10 years.");

        RuleFor(x => x.IpAllowlist).Custom((text, context) =>
        {
            var entries = IpRanges.Split(text);
            var bad = entries.Where(e => !IpRanges.TryParse(e, out _)).ToList();
            if (bad.Count > 0)
                context.AddFailure($"\"{bad[0]}\" is not an IP address or CIDR range (for example 203.0.113.7 or 203.0.113.0/24).");
            else if (entries.Length > ApiKey.IpAllowlistMaxEntries)
                context.AddFailure($"Use at most {ApiKey.IpAllowlistMaxEntries} addresses or ranges.");
        });

        RuleFor(x => x.RateLimitPerMinute)
            .InclusiveBetween(ApiKey.RateLimitMin, ApiKey.RateLimitMax)
            .When(x => x.RateLimitPerMinute is not null)
            .WithMessage($"Enter between {ApiKey.RateLimitMin} and {ApiKey.RateLimitMax:N0} requests per minute, or leave it empty for no limit.");
    }

    private static async Task<bool> IsNameFreeAsync(
        IDbContextFactory<BizKeysDbContext> dbFactory, T request, string name, CancellationToken ct)
    {
        var normalized = ApiKey.Normalize(name);
        var existing = request.ExistingKey;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return !await db.ApiKeys.AnyAsync(k =>
            k.AccountId == request.AccountId && k.RevokedAt == null &&
            k.NormalizedName == normalized && k.Key != existing, ct);
    }
}

public sealed class CreateKeyRequestValidator(
    IOptions<BizKeysOptions> options, IDbContextFactory<BizKeysDbContext> dbFactory, TimeProvider time)
    : KeyDetailsValidator<CreateKeyRequest>(options, dbFactory, time);

public sealed class UpdateKeyRequestValidator(
    IOptions<BizKeysOptions> options, IDbContextFactory<BizKeysDbContext> dbFactory, TimeProvider time)
    : KeyDetailsValidator<UpdateKeyRequest>(options, dbFactory, time);

public sealed class RotateKeyRequestValidator : AbstractValidator<RotateKeyRequest>
{
    public RotateKeyRequestValidator(IOptions<BizKeysOptions> options)
    {
        var max = options.Value.MaxGraceMinutes;
        RuleFor(x => x.GraceMinutes).InclusiveBetween(0, max)
            .WithMessage($"Choose a grace period between 0 and {max} minutes.");
    }
}
