using FluentValidation;
using FluentValidation.Results;
using Microsoft.AspNetCore.Identity;

namespace BizKeys.Core.Users;

internal static class IdentityErrors
{
    /// <summary>Identity's refusals (password too short, email taken) as validation failures on the right field.</summary>
    public static ValidationException ToValidation(IdentityResult result) => new(result.Errors.Select(e => new ValidationFailure(
        e.Code.StartsWith("Password", StringComparison.Ordinal) ? "Password" : "Email", e.Description)));
}
