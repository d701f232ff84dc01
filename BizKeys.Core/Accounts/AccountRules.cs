using FluentValidation;

namespace BizKeys.Core.Accounts;

public static class AccountRules
{
    public static string NameMessage { get; } = $"Enter an account name of 1 to {Account.NameMaxLength} characters, without control characters.";

    public static IRuleBuilderOptions<T, string> AccountName<T>(this IRuleBuilder<T, string> rule) =>
        rule.Must(name => (name ?? "").Trim() is { Length: > 0 and <= Account.NameMaxLength } trimmed && !trimmed.Any(char.IsControl))
            .WithMessage(NameMessage);
}
