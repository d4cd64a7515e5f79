import { createRouter, createWebHistory } from 'vue-router'

import { allowed } from '@/menu'
import { restoreSession, role, session } from '@/session'

export const router = createRouter({
  history: createWebHistory(),
  routes: [
    { path: '/login', name: 'login', component: () => import('@/views/LoginView.vue'), meta: { public: true } },
    {
      path: '/',
      component: () => import('@/views/AppLayout.vue'),
      children: [
        { path: '', name: 'home', component: () => import('@/views/TodayView.vue') },
        { path: 'overview', name: 'dashboard', component: () => import('@/views/DashboardView.vue') },
        { path: 'units', name: 'units', component: () => import('@/views/UnitsView.vue') },
        { path: 'vendors', name: 'vendors', component: () => import('@/views/VendorsView.vue') },
        { path: 'users', name: 'users', component: () => import('@/views/UsersView.vue') },
        { path: 'contracts', name: 'contracts', component: () => import('@/views/ContractsView.vue') },
        {
          path: 'contracts/:id',
          name: 'contract',
          component: () => import('@/views/ContractDetailView.vue'),
          meta: { menu: 'contracts' },
        },
        { path: 'systems', name: 'systems', component: () => import('@/views/SystemsView.vue') },
        { path: 'assets', name: 'assets', component: () => import('@/views/AssetsView.vue') },
        { path: 'audit', name: 'audit', component: () => import('@/views/AuditView.vue') },
        { path: 'calendars', name: 'calendars', component: () => import('@/views/CalendarsView.vue') },
        { path: 'holidays', name: 'holidays', component: () => import('@/views/HolidaysView.vue') },
        { path: 'sla/policies', name: 'policies', component: () => import('@/views/PoliciesView.vue') },
        { path: 'sla/simulate', name: 'simulate', component: () => import('@/views/SimulatorView.vue') },
        { path: 'tickets', name: 'tickets', component: () => import('@/views/tickets/TicketsView.vue') },
        {
          path: 'tickets/new',
          name: 'report',
          component: () => import('@/views/tickets/ReportView.vue'),
          meta: { menu: 'tickets' },
        },
        {
          path: 'tickets/:id',
          name: 'ticket',
          component: () => import('@/views/tickets/TicketDetailView.vue'),
          meta: { menu: 'tickets' },
        },
        { path: 'inspections', name: 'inspections', component: () => import('@/views/inspections/InspectionsView.vue') },
        {
          path: 'inspections/tasks/:id',
          name: 'inspection-task',
          component: () => import('@/views/inspections/TaskView.vue'),
          meta: { menu: 'inspections' },
        },
        { path: 'monitoring', name: 'monitoring', component: () => import('@/views/monitoring/MonitoringView.vue') },
        { path: 'secops', name: 'secops', component: () => import('@/views/secops/SecopsView.vue') },
        {
          path: 'secops/vulnerabilities/:id',
          name: 'vulnerability',
          component: () => import('@/views/secops/VulnerabilityView.vue'),
          meta: { menu: 'secops' },
        },
        { path: 'continuity', name: 'continuity', component: () => import('@/views/continuity/ContinuityView.vue') },
        { path: 'approvals', name: 'approvals', component: () => import('@/views/approvals/ApprovalsView.vue') },
        { path: 'duty', name: 'duty', component: () => import('@/views/DutyView.vue') },
        { path: 'assessments', name: 'assessments', component: () => import('@/views/assessments/AssessmentsView.vue') },
        {
          path: 'assessments/:id',
          name: 'assessment',
          component: () => import('@/views/assessments/AssessmentDetailView.vue'),
          meta: { menu: 'assessments' },
        },
        { path: 'reports', name: 'reports', component: () => import('@/views/reports/ReportsView.vue') },
        {
          path: 'reports/:id',
          name: 'periodic-report',
          component: () => import('@/views/reports/ReportDetailView.vue'),
          meta: { menu: 'reports' },
        },
        { path: 'security', name: 'security', component: () => import('@/views/SecurityView.vue') },
        {
          path: 'notifications',
          name: 'notify',
          component: () => import('@/views/notifications/NotificationsView.vue'),
        },
        { path: ':pathMatch(.*)*', name: 'not-found', component: () => import('@/views/NotFoundView.vue') },
      ],
    },
  ],
})

router.beforeEach(async (to) => {
  if (to.meta.public) return true
  if (!session.user && !(await restoreSession())) {
    return { name: 'login', query: to.fullPath === '/' ? {} : { redirect: to.fullPath } }
  }
  const screen = (to.meta.menu as string | undefined) ?? (to.name as string | undefined) ?? ''
  return allowed(screen, role.value) ? true : { name: 'home' }
})
