using FluentValidation;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Forms;

namespace BizKeys.Admin.Components.Shared;

/// <summary>
/// Runs a Core validator for an <see cref="EditForm"/> (the server-rendered pages), as <see cref="MudValidation"/>
/// does for MudForm: the rules live once, beside the request, and the form shows their messages by field.
/// </summary>
public sealed class FluentValidator<T> : ComponentBase, IDisposable
{
    private ValidationMessageStore? _messages;
    private EditContext? _context;

    [CascadingParameter] private EditContext? CurrentContext { get; set; }
    [Parameter, EditorRequired] public IValidator<T> Validator { get; set; } = default!;

    protected override void OnInitialized()
    {
        _context = CurrentContext ?? throw new InvalidOperationException($"{nameof(FluentValidator<T>)} goes inside an EditForm.");
        _messages = new ValidationMessageStore(_context);
        _context.OnValidationRequested += Validate;
    }

    private void Validate(object? sender, ValidationRequestedEventArgs e)
    {
        _messages!.Clear();
        foreach (var failure in Validator.Validate((T)_context!.Model).Errors)
            _messages.Add(_context.Field(failure.PropertyName), failure.ErrorMessage);
        _context.NotifyValidationStateChanged();
    }

    public void Dispose()
    {
        if (_context is not null)
            _context.OnValidationRequested -= Validate;
    }
}
