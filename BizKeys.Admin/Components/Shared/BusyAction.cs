using FluentValidation;

namespace BizKeys.Admin.Components.Shared;

/// <summary>
/// The one shape of a dialog's or page's action: one run at a time (a second click while saving does nothing),
/// and whatever Core refuses with a message for the person — validation, a conflict, a lost role — becomes
/// <see cref="Error"/> instead of ending the page.
/// </summary>
public sealed class BusyAction
{
    public bool IsBusy { get; private set; }
    public string? Error { get; private set; }

    /// <returns>True when the action ran to its end without a refusal.</returns>
    public async Task<bool> RunAsync(Func<Task> action)
    {
        if (IsBusy)
            return false;
        IsBusy = true;
        Error = null;
        try
        {
            await action();
            return true;
        }
        catch (Exception e) when (Refusals.Message(e) is { } message)
        {
            Error = message;
            return false;
        }
        finally
        {
            IsBusy = false;
        }
    }

    /// <summary>A one-step action with no form to show its refusal on: the refusal becomes an error snackbar.</summary>
    /// <returns>True when the action ran to its end.</returns>
    public static async Task<bool> RunReportingAsync(MudBlazor.ISnackbar snackbar, Func<Task> action)
    {
        var busy = new BusyAction();
        if (await busy.RunAsync(action))
            return true;
        if (busy.Error is { } error)
            snackbar.Add(error, MudBlazor.Severity.Error);
        return false;
    }

    /// <summary>A message of the page's own (a check it makes before asking Core).</summary>
    public void Fail(string message) => Error = message;
}
