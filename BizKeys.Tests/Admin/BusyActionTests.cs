using BizKeys.Admin.Components.Shared;
using BizKeys.Core.ApiKeys;
using FluentValidation;
using FluentValidation.Results;

namespace BizKeys.Tests.Admin;

/// <summary>The one shape every dialog's main button runs through.</summary>
public class BusyActionTests
{
    [Fact]
    public async Task A_second_click_while_the_first_is_saving_runs_nothing()
    {
        var action = new BusyAction();
        var saving = new TaskCompletionSource();
        var runs = 0;

        var first = action.RunAsync(async () => { runs++; await saving.Task; });
        var second = await action.RunAsync(() => { runs++; return Task.CompletedTask; });
        Assert.True(action.IsBusy);
        saving.SetResult();

        Assert.True(await first);
        Assert.False(second);
        Assert.Equal(1, runs);
        Assert.False(action.IsBusy);
    }

    [Fact]
    public async Task Refusals_become_the_message_shown_and_faults_still_end_in_the_error_page()
    {
        var action = new BusyAction();

        Assert.False(await action.RunAsync(() => throw new ValidationException([new ValidationFailure("Name", "Enter a name."), new ValidationFailure("Name", "Enter a name.")])));
        Assert.Equal("Enter a name.", action.Error);
        Assert.False(await action.RunAsync(() => throw new ConcurrencyConflictException("bk_x")));
        Assert.Equal(new ConcurrencyConflictException("bk_x").Message, action.Error);
        await Assert.ThrowsAsync<InvalidOperationException>(() => action.RunAsync(() => throw new InvalidOperationException("a bug")));
        Assert.False(action.IsBusy);
        Assert.True(await action.RunAsync(() => Task.CompletedTask));
        Assert.Null(action.Error);
    }
}
