using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace BizKeys.Core.Configuration;

/// <summary>Fails start-up with a clear message when the catalogue, environments or grace choices are unusable.</summary>
public sealed partial class BizKeysOptionsValidator : IValidateOptions<BizKeysOptions>
{
    public ValidateOptionsResult Validate(string? name, BizKeysOptions options)
    {
        var errors = new List<string>();
        if (options.Permissions.Count == 0)
            errors.Add("BizKeys:Permissions must list at least one permission.");
        errors.AddRange(options.Permissions.Where(p => !PermissionShape().IsMatch(p))
            .Select(p => $"BizKeys:Permissions entry '{p}' must look like 'area:action' (lower-case letters).'"));
        var builtIn = new[] { Permissions.KeysRead, Permissions.KeysWrite, Permissions.KeysVerify, Permissions.UsageRead };
        errors.AddRange(builtIn.Where(p => !options.Permissions.Contains(p))
            .Select(p => $"BizKeys:Permissions must include '{p}': BizKeys' own API needs it."));
        if (options.Permissions.Distinct(StringComparer.Ordinal).Count() != options.Permissions.Count)
            errors.Add("BizKeys:Permissions lists a permission twice.");

        if (options.Environments.Count == 0)
            errors.Add("BizKeys:Environments must list at least one environment.");
        if (options.Environments.Any(e => string.IsNullOrWhiteSpace(e) || e.Length > BizKeysOptions.EnvironmentMaxLength))
            errors.Add($"BizKeys:Environments entries must be 1-{BizKeysOptions.EnvironmentMaxLength} characters.");
        if (options.Environments.Distinct(StringComparer.OrdinalIgnoreCase).Count() != options.Environments.Count)
            errors.Add("BizKeys:Environments lists an environment twice.");

        if (options.RotationGraceMinutes.Count == 0)
            errors.Add("BizKeys:RotationGraceMinutes must list at least one choice (0 means immediately).");
        if (options.RotationGraceMinutes.Any(m => m is < 0 or > 60 * 24 * 90))
            errors.Add("BizKeys:RotationGraceMinutes entries must be between 0 and 129600 (90 days).");

        if (options.PublicUrl is { Length: > 0 } url && (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")))
            errors.Add("BizKeys:PublicUrl must be an absolute http(s) address, such as https://keys.example.com.");
        if (options.Smtp.Security == SmtpSecurity.None && !string.IsNullOrWhiteSpace(options.Smtp.Host)
            && options.Smtp.Host.Trim().ToLowerInvariant() is not ("localhost" or "127.0.0.1" or "::1" or "[::1]"))
            errors.Add("BizKeys:Smtp:Security None sends the mail password and password-reset links in clear text: use it only with a relay on this machine (localhost), or choose Auto, StartTls or SslOnConnect.");
        if (options.Smtp.Port is < 1 or > 65535)
            errors.Add("BizKeys:Smtp:Port must be between 1 and 65535.");
        if (!MimeKit.MailboxAddress.TryParse(options.Smtp.From, out _))
            errors.Add("BizKeys:Smtp:From must be an email address, such as \"BizKeys <keys@example.com>\".");
        if (options.Verification.CacheSeconds is < 1 or > 3600)
            errors.Add("BizKeys:Verification:CacheSeconds must be between 1 and 3600.");
        if (options.Verification.FailedAttemptsPerAddressPerMinute < 0)
            errors.Add("BizKeys:Verification:FailedAttemptsPerAddressPerMinute must be 0 (off) or more.");
        if (options.Usage.FailureSamplesPerMinute is < 1 or > 1000)
            errors.Add("BizKeys:Usage:FailureSamplesPerMinute must be between 1 and 1000.");
        if (options.Support.AccessMinutes is < 5 or > 1440)
            errors.Add("BizKeys:Support:AccessMinutes must be between 5 and 1440 (a day).");
        if (options.Usage.FlushSeconds is < 1 or > 5)
            errors.Add("BizKeys:Usage:FlushSeconds must be between 1 and 5: usage shown to people may lag by at most that.");

        if (string.IsNullOrWhiteSpace(options.Bootstrap.AccountName))
            errors.Add("BizKeys:Bootstrap:AccountName must not be empty.");

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    [GeneratedRegex("^[a-z]+(:[a-z]+)+$")]
    private static partial Regex PermissionShape();
}
