using BizKeys.Core.ApiKeys;
using BizKeys.Admin.Components.Shared;
using BizKeys.Admin.Hosting;
using Microsoft.JSInterop;
using MudBlazor;

namespace BizKeys.Admin.Components.Pages.ApiKeys;

/// <summary>
/// The key actions shared by the grid and the details page: each opens its dialog, tells the page when the key
/// changed (so it reloads behind the dialogs), confirms with a snackbar, and shows a new secret once.
/// </summary>
public sealed class KeyActions(IDialogService dialogs, ISnackbar snackbar, ApiKeyService keys, CurrentAccount currentAccount, Microsoft.JSInterop.IJSRuntime js)
{
    /// <summary>Puts the keyboard focus back on the key's row (its pencil), or the page's first action, or its heading.</summary>
    private async Task RefocusAsync(string? key)
    {
        try
        {
            string[] selectors = key is null ? ["[data-testid=add-key]", "h1"] : [$"[data-testid=edit-key][data-key='{key}']", "[data-testid=edit-key]", "[data-testid=add-key]", "h1"];
            await Task.Delay(50); // the reloaded grid has rendered
            await js.InvokeVoidAsync("bizKeys.focusFirst", (object)selectors);
        }
        catch (Exception e) when (e is Microsoft.JSInterop.JSException or Microsoft.JSInterop.JSDisconnectedException or InvalidOperationException or TaskCanceledException)
        {
            // No browser (a test renderer) or the page is gone: nothing to focus.
        }
    }

    private static readonly DialogOptions FormOptions = new() { MaxWidth = MaxWidth.Small, FullWidth = true, CloseButton = true };
    private static readonly DialogOptions ConfirmOptions = new() { MaxWidth = MaxWidth.Small, FullWidth = true };
    private static readonly DialogOptions SecretOptions = new()
    {
        MaxWidth = MaxWidth.Small, FullWidth = true, BackdropClick = false, CloseOnEscapeKey = false, CloseButton = false,
    };

    public async Task AddAsync(Func<Task> changed)
    {
        var result = await ShowAsync<KeyFormDialog>("Add New API Key", [], FormOptions);
        if (result?.Data is not IssuedSecret issued)
            return;
        await changed();
        // No snackbar: the dialog that follows says it, and a toast behind a modal only lingers.
        await ShowSecretAsync($"“{issued.Key.Name}” · {issued.Key.Environment} key created", issued, "Use this key and secret to call the API.", graceUntil: null);
        await RefocusAsync(issued.Key.Key);
    }

    /// <summary>The leak report dialog; what it did, or null when cancelled.</summary>
    public async Task<Core.Leaks.LeakReport?> ReportLeakAsync(Guid? accountId)
    {
        var result = await ShowAsync<BizKeys.Admin.Components.Shared.ReportLeakDialog>("Report a leaked secret",
            new DialogParameters<BizKeys.Admin.Components.Shared.ReportLeakDialog> { { d => d.AccountId, accountId } }, FormOptions);
        return result?.Data as Core.Leaks.LeakReport;
    }

    public async Task EditAsync(ApiKeyView key, Func<Task> changed)
    {
        var parameters = new DialogParameters<KeyFormDialog> { { d => d.Existing, key } };
        var result = await ShowAsync<KeyFormDialog>($"Edit “{key.Name}”", parameters, FormOptions);
        if (result?.Data is not ApiKeyView updated)
            return;
        await changed();
        snackbar.Add($"Key “{updated.Name}” updated.", Severity.Success);
        await RefocusAsync(updated.Key);
    }

    public async Task RotateAsync(ApiKeyView key, Func<Task> changed)
    {
        var parameters = new DialogParameters<RotateDialog> { { d => d.Key, key } };
        var result = await ShowAsync<RotateDialog>($"Rotate the secret of “{key.Name}”", parameters, ConfirmOptions);
        if (result?.Data is not IssuedSecret issued)
            return;
        await changed();
        await ShowSecretAsync($"New secret for “{issued.Key.Name}”", issued, "Replace the old secret in your integration with this one.",
            issued.Key.PreviousSecretExpiresAt);
        await RefocusAsync(issued.Key.Key);
    }

    /// <summary>Ends a rotation's grace period after a confirmation that says what still uses the old secret.</summary>
    public async Task EndRotationAsync(ApiKeyView key, Func<Task> changed)
    {
        var stillUsed = key.PreviousSecretUses > 0
            ? $"The old secret served {key.PreviousSecretUses:N0} requests since the rotation; whatever still sends it gets 401 from now on."
            : "The old secret has not been used since the rotation.";
        var confirmed = await dialogs.ShowMessageBoxAsync($"End the old secret of “{key.Name}” now?", stillUsed,
            yesText: "End old secret", cancelText: "Cancel", options: ConfirmOptions);
        if (confirmed != true)
            return;
        await RunAsync(async () =>
        {
            await keys.EndRotationAsync((await currentAccount.GetAsync()).Id, key.Key, await currentAccount.GetActorAsync(), key.Version);
            await changed();
            snackbar.Add($"Old secret of “{key.Name}” ended: only the new one works.", Severity.Success);
        });
    }

    /// <summary>Gives the old secret one of the offered grace periods more, from now.</summary>
    public Task ExtendGraceAsync(ApiKeyView key, int minutes, Func<Task> changed) => RunAsync(async () =>
    {
        var extended = await keys.ExtendGraceAsync((await currentAccount.GetAsync()).Id, key.Key, minutes, await currentAccount.GetActorAsync(), key.Version);
        await changed();
        snackbar.Add($"Old secret of “{key.Name}” works until {Display.DateTime(extended.PreviousSecretExpiresAt)}.", Severity.Success);
    });

    /// <summary>A one-step action: Core's refusal (the grace ended meanwhile, someone changed the key) becomes an error snackbar.</summary>
    private Task RunAsync(Func<Task> action) => BusyAction.RunReportingAsync(snackbar, action);

    public async Task RevokeAsync(ApiKeyView key, Func<Task> changed)
    {
        var parameters = new DialogParameters<RevokeDialog> { { d => d.Key, key } };
        var result = await ShowAsync<RevokeDialog>($"Revoke “{key.Name}”", parameters, ConfirmOptions);
        if (result?.Data is not ApiKeyView revoked)
            return;
        await changed();
        snackbar.Add($"Key “{revoked.Name}” revoked.", Severity.Success);
        await RefocusAsync(revoked.Key);
    }

    private async Task ShowSecretAsync(string title, IssuedSecret issued, string intro, DateTime? graceUntil)
    {
        var parameters = new DialogParameters<SecretDialog>
        {
            { d => d.Issued, issued },
            { d => d.Intro, intro },
            { d => d.GraceUntil, graceUntil },
        };
        var dialog = await dialogs.ShowAsync<SecretDialog>(title, parameters, SecretOptions);
        await dialog.Result;
    }

    private async Task<DialogResult?> ShowAsync<TDialog>(string title, DialogParameters parameters, DialogOptions options)
        where TDialog : Microsoft.AspNetCore.Components.IComponent
    {
        var dialog = await dialogs.ShowAsync<TDialog>(title, parameters, options);
        var result = await dialog.Result;
        return result is { Canceled: false } ? result : null;
    }
}
