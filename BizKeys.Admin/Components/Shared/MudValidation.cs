using FluentValidation;

namespace BizKeys.Admin.Components.Shared;

/// <summary>Runs a Core validator for one field at a time, the shape MudForm's Validation parameter takes.</summary>
public static class MudValidation
{
    public static Func<object, string, Task<IEnumerable<string>>> For<T>(IValidator<T> validator) =>
        async (model, propertyName) =>
        {
            var context = ValidationContext<T>.CreateWithOptions((T)model, o => o.IncludeProperties(propertyName));
            var result = await validator.ValidateAsync(context);
            return result.IsValid ? [] : result.Errors.Select(e => e.ErrorMessage);
        };
}
