using System.ComponentModel.DataAnnotations;
using BizKeys.AspNetCore;

namespace BizKeys.Core.Configuration;

/// <summary>The <c>BizKeys</c> section of appsettings.json.</summary>
public sealed class BizKeysOptions
{
    public const string Section = "BizKeys";

    /// <summary>The longest environment label; keys store it in a column of this width.</summary>
    public const int EnvironmentMaxLength = 32;

    /// <summary>The permission catalogue keys may be granted from.</summary>
    public List<string> Permissions { get; set; } = [];

    /// <summary>Environment labels; the first is the default for new keys.</summary>
    public List<string> Environments { get; set; } = [];

    /// <summary>Grace periods offered when rotating, in minutes (0 = the old secret ends immediately).</summary>
    public List<int> RotationGraceMinutes { get; set; } = [];

    public BootstrapOptions Bootstrap { get; set; } = new();

    public VerificationOptions Verification { get; set; } = new();

    public UsageOptions Usage { get; set; } = new();

    public JobsOptions Jobs { get; set; } = new();

    public SupportOptions Support { get; set; } = new();

    public WebhookOptions Webhooks { get; set; } = new();

    public SmtpOptions Smtp { get; set; } = new();

    /// <summary>
    /// The address people reach BizKeys at, for the links in emails (a key's page, a password reset). Unset: the
    /// first of the server's own <c>Urls</c>, which is right for <c>dotnet run</c> and wrong behind a proxy.
    /// </summary>
    public string? PublicUrl { get; set; }

    /// <summary>True when <see cref="PublicUrl"/> was not set and came from <c>Urls</c> (start-up warns when mail goes out).</summary>
    public bool PublicUrlGuessed { get; internal set; }

    public string DefaultEnvironment => Environments.Count > 0 ? Environments[0] : "";

    public int MaxGraceMinutes => RotationGraceMinutes.Count > 0 ? RotationGraceMinutes.Max() : 0;
}

/// <summary>An unattended first start: with an email and a password, the first owner and account are created at start-up.</summary>
public sealed class BootstrapOptions
{
    [Required]
    public string AccountName { get; set; } = "My Business";

    public string? OwnerEmail { get; set; }

    public string? OwnerPassword { get; set; }
}

public sealed class JobsOptions
{
    /// <summary>
    /// Whether this process runs BizKeys' background work: webhooks, mail, scheduled key events and pruning. On for
    /// the app (several instances share the work safely); a platform service verifying keys never runs it.
    /// </summary>
    public bool Enabled { get; set; } = true;
}

public sealed class SupportOptions
{
    /// <summary>How long a support person may read an account after giving a reason (then they give one again).</summary>
    public int AccessMinutes { get; set; } = 60;
}

public sealed class WebhookOptions
{
    /// <summary>Lets webhooks reach loopback, private and link-local addresses (and plain http): for tests and closed networks only.</summary>
    public bool AllowPrivateNetworks { get; set; }
}

public enum SmtpSecurity
{
    /// <summary>TLS from the start on port 465, STARTTLS required on any other: never the password or a reset link in clear text.</summary>
    Auto,
    /// <summary>TLS from the first byte (port 465).</summary>
    SslOnConnect,
    /// <summary>STARTTLS, and refuse a server that does not offer it.</summary>
    StartTls,
    /// <summary>Plain text: only to a relay on this machine (localhost, 127.0.0.1, ::1).</summary>
    None,
}

/// <summary>Where BizKeys sends email. With no host, each message is written as an <c>.eml</c> file to <see cref="PickupDirectory"/>.</summary>
public sealed class SmtpOptions
{
    public string? Host { get; set; }
    public int Port { get; set; } = 587;
    public SmtpSecurity Security { get; set; } = SmtpSecurity.Auto;
    public string? User { get; set; }
    public string? Password { get; set; }
    public string From { get; set; } = "BizKeys <bizkeys@localhost>";
    /// <summary>
    /// Where messages go when no host is set. Empty: a <c>mail</c> folder beside the SQLite database (on PostgreSQL,
    /// <c>data/mail</c>); a relative path starts where relative data paths do.
    /// </summary>
    public string PickupDirectory { get; set; } = "";
}
