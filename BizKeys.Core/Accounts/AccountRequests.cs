using BizKeys.Core.Users;
using FluentValidation;

namespace BizKeys.Core.Accounts;

/// <summary>
/// The first owner and their account (<c>/setup</c>, or the bootstrap settings). Mutable so the setup form can bind
/// to it (decision 007).
/// </summary>
public sealed class SetupRequest
{
    public string AccountName { get; set; } = "";
    public string Email { get; set; } = "";
    public string Password { get; set; } = "";
    /// <summary>Checked by forms that ask twice; null where nobody types it (bootstrap).</summary>
    public string? ConfirmPassword { get; set; }
}

public sealed class SetupRequestValidator : AbstractValidator<SetupRequest>
{
    public SetupRequestValidator()
    {
        RuleFor(r => r.AccountName).AccountName();
        RuleFor(r => r.Email).SignInEmail();
        RuleFor(r => r.Password).NewPassword();
        RuleFor(r => r.ConfirmPassword).Equal(r => r.Password).When(r => r.ConfirmPassword is not null)
            .WithMessage("The two passwords differ.");
    }
}

/// <summary>What an operator can be made into from the command line.</summary>
public enum UserKind
{
    Owner,
    Member,
    Support,
}

/// <summary><c>users create</c> (its messages name the command's options): an Owner (of a new or existing account), a Member (of an existing one) or Support staff.</summary>
public sealed class CreateUserRequest
{
    public string Email { get; set; } = "";
    public string Password { get; set; } = "";
    public UserKind Kind { get; set; }
    public string? AccountName { get; set; }
}

public sealed class CreateUserRequestValidator : AbstractValidator<CreateUserRequest>
{
    public CreateUserRequestValidator()
    {
        RuleFor(r => r.Email).SignInEmail();
        RuleFor(r => r.Kind).IsInEnum().WithMessage("Role must be Owner, Member or Support.");
        RuleFor(r => r.AccountName).Empty().When(r => r.Kind == UserKind.Support)
            .WithMessage("Support staff see every account read-only; leave out --account.");
        RuleFor(r => r.AccountName).NotEmpty().When(r => r.Kind != UserKind.Support)
            .WithMessage(r => $"An {r.Kind} belongs to an account: add --account NAME.");
        RuleFor(r => r.AccountName!).AccountName().When(r => r.Kind != UserKind.Support && !string.IsNullOrWhiteSpace(r.AccountName));
    }
}
