using FluentValidation;

namespace BizKeys.Core.Support;

/// <summary>Why a support person opens an account; recorded in that account's audit log.</summary>
public sealed class OpenAccountRequest
{
    public const int ReasonMinLength = 10;
    public const int ReasonMaxLength = 500;

    public string Reason { get; set; } = "";
}

public sealed class OpenAccountRequestValidator : AbstractValidator<OpenAccountRequest>
{
    public OpenAccountRequestValidator() =>
        RuleFor(r => r.Reason).Must(reason => (reason ?? "").Trim().Length is >= OpenAccountRequest.ReasonMinLength and <= OpenAccountRequest.ReasonMaxLength)
            .WithMessage($"Describe why you need to look, in {OpenAccountRequest.ReasonMinLength} to {OpenAccountRequest.ReasonMaxLength} characters (for example a ticket number).");
}
