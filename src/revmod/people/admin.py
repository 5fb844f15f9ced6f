"""The admin of people: a window on accounts and nominations. Every change of status, every
nomination and every Note Verbale goes through the domain functions, as on the pages."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from revmod.core.domain import DomainError, NotAllowed
from revmod.people import services
from revmod.people.forms import DeactivateForm, add_domain_error, refusal_messages
from revmod.people.models import ActivationLink, Nomination, NoteVerbale, User

PRIVILEGES = ["is_secretariat", "is_staff", "is_superuser", "groups", "user_permissions"]


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    list_display = ["email", "full_name", "state", "status", "is_secretariat", "status_changed_at"]
    list_filter = ["status", ("state", admin.RelatedOnlyFieldListFilter), "is_secretariat"]
    search_fields = ["email", "full_name", "organization"]
    filter_horizontal = ["languages", "groups", "user_permissions"]
    fields = [
        "email",
        "full_name",
        "title",
        "position",
        "organization",
        "phone",
        "gender",
        "state",
        "languages",
        "preferred_language",
        "status",
        "status_changed_at",
        "clarification_request",
        "date_joined",
        "last_login",
        *PRIVILEGES,
    ]
    actions = ["approve_selected", "resend_activation", "deactivate_selected"]

    def get_readonly_fields(self, request, obj=None):
        # The status changes only through the life cycle's domain functions.
        readonly = ["status", "status_changed_at", "clarification_request", "date_joined"]
        readonly.append("last_login")
        if not request.user.is_superuser:
            readonly += PRIVILEGES
        return readonly

    def add_view(self, request, form_url="", extra_context=None):
        # People are invited (with an activation link), never created with a form here.
        return redirect("people:invite")

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def _apply(self, request, queryset, action, done_message) -> None:
        done = 0
        for person in queryset:
            try:
                action(person)
            except (DomainError, NotAllowed) as error:
                self.message_user(
                    request,
                    _("%(person)s: %(reason)s")
                    % {"person": person, "reason": " ".join(refusal_messages(error))},
                    messages.ERROR,
                )
            else:
                done += 1
        if done:
            self.message_user(request, done_message(done) % {"count": done}, messages.SUCCESS)

    @admin.action(description=_("Approve the selected profiles"))
    def approve_selected(self, request, queryset):
        self._apply(
            request,
            queryset,
            lambda person: services.approve_profile(actor=request.user, user=person),
            lambda n: ngettext("%(count)d profile approved.", "%(count)d profiles approved.", n),
        )

    @admin.action(description=_("Re-send the activation link"))
    def resend_activation(self, request, queryset):
        self._apply(
            request,
            queryset,
            lambda person: services.resend_activation(actor=request.user, user=person),
            lambda n: ngettext(
                "%(count)d activation link re-sent.", "%(count)d activation links re-sent.", n
            ),
        )

    @admin.action(description=_("Deactivate the selected accounts"))
    def deactivate_selected(self, request, queryset):
        form = DeactivateForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            self._apply(
                request,
                queryset,
                lambda person: services.deactivate_user(
                    actor=request.user, user=person, reason=form.cleaned_data["reason"]
                ),
                lambda n: ngettext(
                    "%(count)d account deactivated.", "%(count)d accounts deactivated.", n
                ),
            )
            return None
        # First ask for the reason, which also ends the people's current nominations.
        context = {
            **self.admin_site.each_context(request),
            "title": _("Deactivate accounts"),
            "opts": self.model._meta,
            "form": form,
            "people": queryset,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "people/admin/deactivate.html", context)


class NoteVerbaleForm(forms.ModelForm):
    class Meta:
        model = NoteVerbale
        fields = ["state", "reference", "dated_on", "received_on", "summary"]

    def clean(self):
        data = super().clean()
        fields = ["state", "reference", "dated_on", "received_on"]
        if all(data.get(name) for name in fields):
            try:
                services.check_note_verbale(**{name: data[name] for name in fields})
            except DomainError as error:
                add_domain_error(self, error)
        return data

    def validate_unique(self) -> None:
        # check_note_verbale above already refuses a duplicate reference, in its own words.
        return None


@admin.register(NoteVerbale)
class NoteVerbaleAdmin(admin.ModelAdmin):
    form = NoteVerbaleForm
    list_display = ["reference", "state", "dated_on", "received_on", "registered_by"]
    list_filter = [("state", admin.RelatedOnlyFieldListFilter), "received_on"]
    search_fields = ["reference", "summary", "state__name"]
    date_hierarchy = "received_on"
    readonly_fields = ["registered_by", "registered_at"]

    def has_change_permission(self, request, obj=None) -> bool:
        # A registered note is evidence for nominations: it is read, not edited.
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change):
        note = services.register_note_verbale(actor=request.user, **form.cleaned_data)
        # The admin logs and redirects with the object it built: give it the registered row.
        obj.pk = note.pk
        obj.registered_by = note.registered_by
        obj.registered_at = note.registered_at


@admin.register(Nomination)
class NominationAdmin(admin.ModelAdmin):
    list_display = ["person", "role", "state", "review", "starts_on", "ends_on", "end_reason"]
    list_filter = ["role", ("state", admin.RelatedOnlyFieldListFilter), "review__mechanism"]
    search_fields = ["person__full_name", "person__email", "state__name"]
    list_select_related = ["person", "state", "review__state"]
    date_hierarchy = "starts_on"

    def add_view(self, request, form_url="", extra_context=None):
        # Nominations are checked (one focal point, the State's own officials) on their page.
        return redirect("people:nominate")

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ActivationLink)
class ActivationLinkAdmin(admin.ModelAdmin):
    list_display = ["user", "mechanism", "created_at", "expires_at", "used_at", "revoked_at"]
    list_select_related = ["user", "mechanism"]
    search_fields = ["user__email", "user__full_name"]
    exclude = ["token_hash"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
