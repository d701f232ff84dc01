using BizKeys.Core.Accounts;
using BizKeys.Core.Users;
using FluentValidation;

namespace BizKeys.Core.Members;

/// <summary>An owner invites someone. Mutable so the invite dialog can bind to it (decision 007).</summary>
public sealed class InviteRequest
{
    public string Email { get; set; } = "";
    /// <summary>Used only if the email has no sign-in yet; checked either way, so the answer tells nothing.</summary>
    public string Password { get; set; } = "";
    public AccountRole Role { get; set; } = AccountRole.Member;
}

public sealed class InviteRequestValidator : AbstractValidator<InviteRequest>
{
    public InviteRequestValidator()
    {
        RuleFor(r => r.Email).SignInEmail();
        RuleFor(r => r.Password).NewPassword();
        RuleFor(r => r.Role).IsInEnum().WithMessage("Choose Owner or Member.");
    }
}
