using BizKeys.Core.Configuration;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace BizKeys.Core.Mail;

/// <summary>Hands a message on: to an SMTP server, or to a folder of <c>.eml</c> files when none is set.</summary>
public interface IMailTransport
{
    /// <summary>Where mail goes, for the settings page ("smtp.example.com:587" or the folder).</summary>
    string Description { get; }

    Task SendAsync(MimeMessage message, CancellationToken ct);
}

/// <summary>A refusal that retrying cannot change (the server says the address does not exist).</summary>
public sealed class PermanentMailFailureException(string message, Exception inner) : Exception(message, inner);

public sealed class SmtpMailTransport(SmtpOptions options) : IMailTransport
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public string Description => $"{options.Host}:{options.Port}";

    public async Task SendAsync(MimeMessage message, CancellationToken ct)
    {
        using var client = new SmtpClient { Timeout = (int)Timeout.TotalMilliseconds };
        var security = options.Security switch
        {
            SmtpSecurity.SslOnConnect => SecureSocketOptions.SslOnConnect,
            SmtpSecurity.StartTls => SecureSocketOptions.StartTls,
            SmtpSecurity.None => SecureSocketOptions.None,
            // MailKit's own "Auto" uses STARTTLS only when offered: whoever sits between could strip the offer.
            _ => options.Port == 465 ? SecureSocketOptions.SslOnConnect : SecureSocketOptions.StartTls,
        };
        await client.ConnectAsync(options.Host ?? "localhost", options.Port, security, ct);
        if (!string.IsNullOrEmpty(options.User))
            await client.AuthenticateAsync(options.User, options.Password ?? "", ct);
        try
        {
            await client.SendAsync(message, ct);
        }
        catch (SmtpCommandException e) when ((int)e.StatusCode is >= 500 and < 600 && e.ErrorCode == SmtpErrorCode.RecipientNotAccepted)
        {
            throw new PermanentMailFailureException($"The mail server refused the address ({(int)e.StatusCode}).", e);
        }
        await client.DisconnectAsync(quit: true, ct);
    }
}

/// <summary>
/// Writes each message to <c>data/mail/&lt;id&gt;.eml</c> (any mail program opens it), so a first run needs no mail
/// server. Written under a temporary name and renamed: a crash leaves no half message, and a second attempt of the
/// same mail replaces the first rather than adding a copy.
/// </summary>
public sealed class PickupDirectoryMailTransport(string directory) : IMailTransport
{
    public string Description => directory;

    public async Task SendAsync(MimeMessage message, CancellationToken ct)
    {
        Directory.CreateDirectory(directory);
        var name = string.Concat((message.MessageId ?? "").Split('@')[0].Where(char.IsAsciiLetterOrDigit));
        var path = Path.Combine(directory, $"{(name.Length > 0 ? name : Guid.NewGuid().ToString("N"))}.eml");
        var temporary = path + ".tmp";
        await using (var file = File.Create(temporary))
            await message.WriteToAsync(file, ct);
        File.Move(temporary, path, overwrite: true);
    }
}
