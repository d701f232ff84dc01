using FluentValidation;

namespace BizKeys.Core.Users;

/// <summary>The rules for a sign-in, named once: Identity's options, validators and page text all read these.</summary>
public static class SignInRules
{
    public const int PasswordMinLength = 10;
    public const int PasswordMinUniqueCharacters = 4;
    public const string EmailMessage = "Enter a valid email address, such as owner@example.com.";

    /// <summary>One address, nothing around it: what Identity will store and what the person will sign in with.</summary>
    public static bool IsEmail(string? email)
    {
        var trimmed = email?.Trim() ?? "";
        return trimmed.Length is > 0 and <= BizKeysUser.EmailMaxLength
            && System.Net.Mail.MailAddress.TryCreate(trimmed, out var parsed) && parsed.Address == trimmed
            && Mail.MailAddresses.IsPlain(trimmed); // what the mail sender will accept too (invitations, resets)
    }

    public static IRuleBuilderOptions<T, string> SignInEmail<T>(this IRuleBuilder<T, string> rule) =>
        rule.Must(IsEmail).WithMessage(EmailMessage);

    /// <summary>The length part of the password rules, for forms; the service checks all of Identity's rules.</summary>
    public static IRuleBuilderOptions<T, string> NewPassword<T>(this IRuleBuilder<T, string> rule) =>
        rule.Must(p => (p ?? "").Length >= PasswordMinLength).WithMessage($"Passwords must be at least {PasswordMinLength} characters.");
}
