namespace BizKeys.Core.Mail;

/// <summary>What BizKeys takes as an email address: one plain address a mail server accepts, as a person types it.</summary>
public static class MailAddresses
{
    /// <summary>
    /// <c>name@example.com</c>: no display name, no list, no spaces or line breaks, a dotted domain name (not an IP
    /// address in brackets, which would point mail at a host of the sender's choosing), and one MimeKit parses as is —
    /// the check the sender makes, so nothing accepted here fails there.
    /// </summary>
    public static bool IsPlain(string address) =>
        address.Length is > 0 and <= OutgoingMail.AddressMaxLength
        && !address.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c is ',' or ';' or '<' or '>' or '"' or '[' or ']' or '(' or ')')
        && MimeKit.MailboxAddress.TryParse(address, out var parsed) && parsed.Address == address
        && address.IndexOf('@') is > 0 and var at && at == address.LastIndexOf('@') && at < address.Length - 1
        && address[(at + 1)..].Contains('.') && !address.EndsWith('.');
}
